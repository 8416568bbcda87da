# expect-verdict: wrong_answer
# expect-diagnosis: dx has the wrong sign
import numpy as np


def tanh_forward(x):
    return np.tanh(x)


def tanh_backward(dy, x):
    return dy * (np.tanh(x) ** 2 - 1.0)
