import numpy as np


def sigmoid_forward(x):
    # exp(-x) overflows to inf for x < -709, and 1 / (1 + inf) is exactly 0: right, with a RuntimeWarning
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, x):
    s = sigmoid_forward(x)
    return dy * s * (1.0 - s)
