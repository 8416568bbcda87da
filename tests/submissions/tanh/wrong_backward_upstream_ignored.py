# expect-verdict: wrong_answer
# expect-diagnosis: dx ignores the upstream gradient dy
import numpy as np


def tanh_forward(x):
    return np.tanh(x)


def tanh_backward(dy, x):
    return 1.0 - np.tanh(x) ** 2
