# expect-verdict: wrong_answer
# expect-diagnosis: modified its input x in place
import numpy as np


def linear_forward(x, W, b):
    x += 0.0 * x
    x[...] = x * 1.5
    return x @ W.T / 1.5 + b


def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
