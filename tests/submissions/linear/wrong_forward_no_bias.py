# expect-verdict: wrong_answer
# expect-diagnosis: y is missing the bias
# expect-diagnosis: fix the forward computation first
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T


def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, np.zeros_like(b)
