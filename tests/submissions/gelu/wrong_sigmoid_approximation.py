# expect-verdict: wrong_answer
# expect-diagnosis: y is the sigmoid approximation x * sigmoid(1.702 x)
# expect-diagnosis: dx differentiates the sigmoid approximation
import numpy as np


def gelu_forward(x, approximate="none"):
    return x / (1.0 + np.exp(-1.702 * x))


def gelu_backward(dy, x, approximate="none"):
    s = 1.0 / (1.0 + np.exp(-1.702 * x))
    return dy * (s + 1.702 * x * s * (1.0 - s))
