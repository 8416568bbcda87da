import math

import numpy as np

erf = np.frompyfunc(math.erf, 1, 1)


def _phi_cdf(x):
    return 0.5 * (1.0 + erf(x / np.sqrt(2.0)).astype(np.float64))


def gelu_forward(x, approximate="none"):
    if approximate == "none":
        return x * _phi_cdf(x)
    inner = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x * x * x)
    # 1 + tanh(u) = 2 * sigmoid(2u)
    return x / (1.0 + np.exp(-2.0 * inner))


def gelu_backward(dy, x, approximate="none"):
    if approximate == "none":
        return dy * (_phi_cdf(x) + x * np.exp(-x * x / 2.0) / np.sqrt(2.0 * np.pi))
    inner = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x * x * x)
    s = 1.0 / (1.0 + np.exp(-2.0 * inner))
    dinner = np.sqrt(2.0 / np.pi) * (1.0 + 3.0 * 0.044715 * x * x)
    return dy * (s + x * 2.0 * s * (1.0 - s) * dinner)
