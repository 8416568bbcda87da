# expect-verdict: wrong_answer
# expect-diagnosis: dx = dy * y is missing the factor (1 - y)
import numpy as np


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, x):
    return dy * sigmoid_forward(x)
