# expect-verdict: wrong_answer
# expect-diagnosis: y is not scaled: inverted dropout divides the kept values by (1 - p)
# expect-diagnosis: dx is not divided by (1 - p)
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask, mask


def dropout_backward(dy, mask, p):
    return dy * mask
