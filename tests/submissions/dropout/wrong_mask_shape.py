# expect-verdict: wrong_answer
# expect-diagnosis: mask must be an array of x's shape
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape[-1]) >= p  # one decision per feature, shared by all rows
    return x * mask / (1.0 - p), mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
