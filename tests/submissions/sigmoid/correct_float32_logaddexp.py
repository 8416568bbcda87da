import numpy as np


def sigmoid_forward(x):
    x32 = x.astype(np.float32)
    return np.exp(-np.logaddexp(np.float32(0.0), -x32))


def sigmoid_backward(dy, x):
    y = sigmoid_forward(x)
    return dy.astype(np.float32) * y * (np.float32(1.0) - y)
