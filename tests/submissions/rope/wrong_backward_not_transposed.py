# expect-verdict: wrong_answer
# expect-diagnosis: dx applies the forward rotation to dy
# expect-diagnosis: the mistake is in the backward pass
import numpy as np


def rope(x, positions, base=10000.0):
    d = x.shape[-1]
    half = d // 2
    theta = np.outer(positions, base ** (-np.arange(0, d, 2) / d))
    cos, sin = np.cos(theta), np.sin(theta)
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate([x1 * cos - x2 * sin, x1 * sin + x2 * cos], axis=-1)


def rope_backward(dy, positions, base=10000.0):
    return rope(dy, positions, base)  # the same rotation again, not its transpose
