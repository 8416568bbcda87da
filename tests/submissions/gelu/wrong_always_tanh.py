# expect-verdict: wrong_answer
# expect-diagnosis: y uses the tanh approximation although approximate='none'
# expect-diagnosis: dx is the derivative of the tanh approximation although approximate='none'
import math

import numpy as np


def gelu_forward(x, approximate="none"):
    k = math.sqrt(2.0 / math.pi)
    return 0.5 * x * (1.0 + np.tanh(k * (x + 0.044715 * x**3)))


def gelu_backward(dy, x, approximate="none"):
    k = math.sqrt(2.0 / math.pi)
    t = np.tanh(k * (x + 0.044715 * x**3))
    return dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * k * (1.0 + 3 * 0.044715 * x**2))
