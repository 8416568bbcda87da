# expect-verdict: wrong_answer
# expect-diagnosis: dx has the wrong sign
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return -np.where(x > 0, dy, negative_slope * dy)
