import numpy as np


def linear_layer_cost(batch, in_features, out_features, bias=True):
    # float arithmetic: whole-number floats are accepted as counts
    macs = float(np.prod([batch, in_features, out_features], dtype=np.float64))
    outputs = batch * out_features * 1.0
    flops = 2.0 * macs + (outputs if bias else 0.0)
    weights = np.float64(out_features) * in_features
    return flops, weights + (out_features if bias else 0)
