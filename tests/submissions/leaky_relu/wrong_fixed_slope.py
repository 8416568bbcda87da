# expect-verdict: wrong_answer
# expect-diagnosis: y uses the slope 0.01 whatever negative_slope
# expect-diagnosis: dx uses the slope 0.01 whatever negative_slope
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, x, 0.01 * x)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return np.where(x > 0, dy, 0.01 * dy)
