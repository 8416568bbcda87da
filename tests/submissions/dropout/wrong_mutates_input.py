# expect-verdict: wrong_answer
# expect-diagnosis: dropout_forward modified its input x in place
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    x *= mask
    x /= 1.0 - p
    return x, mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
