# expect-verdict: wrong_answer
# expect-diagnosis: the derivative of ReLU at exactly 0 is taken as 0
import numpy as np


def relu_forward(x):
    return np.maximum(x, 0.0)


def relu_backward(dy, x):
    return dy * (x >= 0)
