# expect-verdict: wrong_answer
# expect-diagnosis: the mask is not drawn from rng: the same seed must give the same mask
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = np.random.rand(*x.shape) >= p
    return x * mask / (1.0 - p), mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
