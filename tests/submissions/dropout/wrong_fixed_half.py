# expect-verdict: wrong_answer
# expect-diagnosis: the kept fraction
# expect-diagnosis: with p = 0 nothing may be dropped
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= 0.5
    return x * mask / (1.0 - p), mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
