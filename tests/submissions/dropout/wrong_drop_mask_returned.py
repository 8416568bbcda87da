# expect-verdict: wrong_answer
# expect-diagnosis: mask marks the dropped elements
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    dropped = rng.random(x.shape) < p
    return np.where(dropped, 0.0, x / (1.0 - p)), dropped


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
