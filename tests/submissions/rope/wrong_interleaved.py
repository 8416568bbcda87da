# expect-verdict: wrong_answer
# expect-diagnosis: y pairs neighbouring features (2i, 2i+1), the interleaved layout
# expect-diagnosis: dx pairs neighbouring features (2i, 2i+1), the interleaved layout
import numpy as np


def _apply(x, positions, base, sign):
    d = x.shape[-1]
    theta = np.outer(positions, base ** (-np.arange(0, d, 2) / d))
    cos, sin = np.cos(theta), sign * np.sin(theta)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x, dtype=float)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def rope(x, positions, base=10000.0):
    return _apply(x, positions, base, 1.0)


def rope_backward(dy, positions, base=10000.0):
    return _apply(dy, positions, base, -1.0)
