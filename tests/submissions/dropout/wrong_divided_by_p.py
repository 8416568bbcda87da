# expect-verdict: wrong_answer
# expect-diagnosis: y is divided by p
# expect-diagnosis: dx is divided by p
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask / max(p, 1e-12) if p > 0 else x.copy(), mask


def dropout_backward(dy, mask, p):
    return dy * mask / p if p > 0 else dy * mask
