import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    x32 = x.astype(np.float32)
    return np.maximum(x32, 0) + np.float32(negative_slope) * np.minimum(x32, 0)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    gate = np.where(x > 0, np.float32(1.0), np.float32(negative_slope))
    return dy.astype(np.float32) * gate
