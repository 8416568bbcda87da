import math

import numpy as np


def tanh_forward(x):
    out = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        out[idx] = math.tanh(x[idx])
    return out


def tanh_backward(dy, x):
    dx = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        t = math.tanh(x[idx])
        dx[idx] = dy[idx] * (1.0 - t * t)
    return dx
