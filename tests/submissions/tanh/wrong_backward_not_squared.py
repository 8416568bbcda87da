# expect-verdict: wrong_answer
# expect-diagnosis: forgets the square
import numpy as np


def tanh_forward(x):
    return np.tanh(x)


def tanh_backward(dy, x):
    return dy * (1.0 - np.tanh(x))
