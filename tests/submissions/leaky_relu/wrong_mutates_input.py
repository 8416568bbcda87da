# expect-verdict: wrong_answer
# expect-diagnosis: leaky_relu_forward modified its input x in place
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    x[x < 0] *= negative_slope
    return x


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return np.where(x > 0, dy, negative_slope * dy)
