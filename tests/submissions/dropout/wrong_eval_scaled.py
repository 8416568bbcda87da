# expect-verdict: wrong_answer
# expect-diagnosis: eval mode scales y by (1 - p)
# expect-diagnosis: y is not scaled
import numpy as np


def dropout_forward(x, p, train, rng):
    # the old, non-inverted convention: drop in training, shrink at test time
    if not train:
        return x * (1.0 - p), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask, mask


def dropout_backward(dy, mask, p):
    return dy * mask / (1.0 - p)
