import numpy as np


def linear_layer_cost(batch, in_features, out_features, bias=True):
    W = np.zeros((out_features, in_features))
    b = np.zeros(out_features) if bias else None
    params = W.size + (b.size if b is not None else 0)
    per_example = 2 * W.size + (out_features if bias else 0)
    return np.int64(batch) * per_example, np.int64(params)
