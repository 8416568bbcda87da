# expect-verdict: wrong_answer
# expect-diagnosis: mask must hold only 0/1 or booleans
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    u = rng.random(x.shape)
    return x * (u >= p) / (1.0 - p), u


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
