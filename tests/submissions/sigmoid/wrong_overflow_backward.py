# expect-verdict: wrong_answer
# expect-diagnosis: dx overflows to NaN or inf on large inputs
import numpy as np


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, x):
    e = np.exp(-x)
    return dy * e / (1.0 + e) ** 2
