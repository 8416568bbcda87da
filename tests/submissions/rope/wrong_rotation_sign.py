# expect-verdict: wrong_answer
# expect-diagnosis: y rotates by minus the angle
import numpy as np


def _apply(x, positions, base, sign):
    d = x.shape[-1]
    half = d // 2
    theta = np.outer(positions, base ** (-np.arange(0, d, 2) / d))
    cos, sin = np.cos(theta), sign * np.sin(theta)
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate([x1 * cos + x2 * sin, -x1 * sin + x2 * cos], axis=-1)


def rope(x, positions, base=10000.0):
    return _apply(x, positions, base, 1.0)


def rope_backward(dy, positions, base=10000.0):
    return _apply(dy, positions, base, -1.0)
