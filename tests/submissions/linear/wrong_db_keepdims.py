# expect-verdict: wrong_answer
# expect-diagnosis: db has the right values but shape (1,
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, np.sum(dy, axis=0, keepdims=True)
