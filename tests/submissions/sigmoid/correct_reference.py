import numpy as np


def sigmoid_forward(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_backward(dy, x):
    y = sigmoid_forward(x)
    return dy * y * (1.0 - y)
