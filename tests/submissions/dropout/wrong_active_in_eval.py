# expect-verdict: wrong_answer
# expect-diagnosis: dropout is active in eval mode
# expect-diagnosis: in eval mode the mask must be all True
import numpy as np


def dropout_forward(x, p, train, rng):
    mask = rng.random(x.shape) >= p
    return x * mask / (1.0 - p), mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
