# expect-verdict: wrong_answer
# expect-diagnosis: y is the transpose of the expected
import numpy as np


def linear_forward(x, W, b):
    return W @ x.T + b[:, None]


def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
