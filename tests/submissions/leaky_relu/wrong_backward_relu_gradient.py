# expect-verdict: wrong_answer
# expect-diagnosis: dx is ReLU's gradient
# expect-diagnosis: your leaky_relu_forward is right but your leaky_relu_backward does not match its numerical gradient
import numpy as np


def leaky_relu_forward(x, negative_slope=0.01):
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return dy * (x > 0)
