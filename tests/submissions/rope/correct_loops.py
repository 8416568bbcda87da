import math

import numpy as np


def _apply(x, positions, base, sign):
    out = np.array(x, dtype=float, copy=True)
    d = x.shape[-1]
    half = d // 2
    flat = out.reshape(-1, x.shape[-2], d)
    src = np.asarray(x, dtype=float).reshape(-1, x.shape[-2], d)
    for b in range(flat.shape[0]):
        for l, p in enumerate(positions):
            for i in range(half):
                angle = float(p) * base ** (-2.0 * i / d)
                c, s = math.cos(angle), sign * math.sin(angle)
                a, bb = src[b, l, i], src[b, l, i + half]
                flat[b, l, i] = a * c - bb * s
                flat[b, l, i + half] = a * s + bb * c
    return flat.reshape(x.shape)


def rope(x, positions, base=10000.0):
    return _apply(x, positions, base, 1.0)


def rope_backward(dy, positions, base=10000.0):
    return _apply(dy, positions, base, -1.0)
