# expect-verdict: wrong_answer
# expect-diagnosis: dx has the wrong sign
import numpy as np


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, x):
    y = sigmoid_forward(x)
    return dy * y * (y - 1.0)
