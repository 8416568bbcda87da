# expect-verdict: wrong_answer
# expect-diagnosis: y scales the positive inputs by negative_slope
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, negative_slope * x, x)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return np.where(x > 0, dy, negative_slope * dy)
