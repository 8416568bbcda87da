# expect-verdict: wrong_answer
# expect-diagnosis: y overflows to NaN or inf on large inputs
import numpy as np


def tanh_forward(x):
    a, b = np.exp(x), np.exp(-x)
    return (a - b) / (a + b)


def tanh_backward(dy, x):
    t = np.tanh(x)
    return dy * (1.0 - t * t)
