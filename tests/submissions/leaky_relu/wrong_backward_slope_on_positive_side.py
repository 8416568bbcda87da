# expect-verdict: wrong_answer
# expect-diagnosis: dx scales the gradient by negative_slope where x > 0
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return np.where(x > 0, negative_slope * dy, dy)
