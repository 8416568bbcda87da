# expect-verdict: wrong_answer
# expect-diagnosis: y is a plain ReLU
# expect-diagnosis: your leaky_relu_backward is right but your leaky_relu_forward is wrong
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    return np.maximum(x, 0.0)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return np.where(x > 0, dy, negative_slope * dy)
