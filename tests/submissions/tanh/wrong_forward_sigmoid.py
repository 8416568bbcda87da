# expect-verdict: wrong_answer
# expect-diagnosis: y is sigmoid(x), not tanh(x)
import numpy as np


def tanh_forward(x):
    return 1.0 / (1.0 + np.exp(-x))


def tanh_backward(dy, x):
    t = np.tanh(x)
    return dy * (1.0 - t * t)
