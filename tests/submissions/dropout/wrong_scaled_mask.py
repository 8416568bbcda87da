# expect-verdict: wrong_answer
# expect-diagnosis: mask holds the scaled values 1/(1 - p)
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * mask, mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
