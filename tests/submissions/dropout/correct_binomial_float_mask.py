import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones_like(x)
    mask = rng.binomial(1, 1.0 - p, size=x.shape).astype(np.float64)
    return x * mask / (1.0 - p), mask


def dropout_backward(dy, mask, p):
    return np.where(mask, dy / (1.0 - p), 0.0)
