# expect-verdict: wrong_answer
# expect-diagnosis: dx overflows to NaN or inf on large inputs
import numpy as np


def tanh_forward(x):
    return np.tanh(x)


def tanh_backward(dy, x):
    a, b = np.exp(x), np.exp(-x)
    t = (a - b) / (a + b)
    return dy * (1.0 - t * t)
