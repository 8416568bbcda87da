# expect-verdict: wrong_answer
# expect-diagnosis: dx = dy * (1 - x^2) uses the input x
# expect-diagnosis: your tanh_forward is right but your tanh_backward does not match
import numpy as np


def tanh_forward(x):
    return np.tanh(x)


def tanh_backward(dy, x):
    return dy * (1.0 - x**2)
