import math

import numpy as np


def _gelu(v, approximate):
    if approximate == "tanh":
        return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v**3)))
    return 0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0)))


def _dgelu(v, approximate):
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        u = k * (v + 0.044715 * v**3)
        t = math.tanh(u)
        return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * k * (1.0 + 0.134145 * v * v)
    return 0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) + v * math.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi)


def gelu_forward(x, approximate="none"):
    out = np.empty(x.shape, dtype=np.float32)
    for idx in np.ndindex(x.shape):
        out[idx] = _gelu(float(np.float32(x[idx])), approximate)
    return out


def gelu_backward(dy, x, approximate="none"):
    out = np.empty(x.shape, dtype=np.float32)
    for idx in np.ndindex(x.shape):
        out[idx] = np.float32(dy[idx]) * np.float32(_dgelu(float(np.float32(x[idx])), approximate))
    return out
