import math

import numpy as np


def _s(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid_forward(x):
    out = np.empty(x.shape)
    for idx in np.ndindex(x.shape):
        out[idx] = _s(float(x[idx]))
    return out


def sigmoid_backward(dy, x):
    dx = np.empty(x.shape)
    for idx in np.ndindex(x.shape):
        s = _s(float(x[idx]))
        dx[idx] = dy[idx] * s * (1.0 - s)
    return dx
