# expect-verdict: wrong_answer
# expect-diagnosis: y uses erf(x) instead of erf(x / sqrt(2))
import math

import numpy as np

_erf = np.vectorize(math.erf)


def gelu_forward(x, approximate="none"):
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1.0 + np.tanh(k * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + _erf(x))


def gelu_backward(dy, x, approximate="none"):
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        t = np.tanh(k * (x + 0.044715 * x**3))
        return dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * k * (1.0 + 3 * 0.044715 * x**2))
    cdf = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * x**2) / math.sqrt(2.0 * math.pi)
    return dy * (cdf + x * pdf)
