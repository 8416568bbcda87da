# expect-verdict: wrong_answer
# expect-diagnosis: y overflows to NaN or inf on large inputs
import numpy as np


def sigmoid_forward(x):
    e = np.exp(x)
    return e / (1.0 + e)


def sigmoid_backward(dy, x):
    y = sigmoid_forward(x)
    return dy * y * (1.0 - y)
