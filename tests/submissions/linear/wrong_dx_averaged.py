# expect-verdict: wrong_answer
# expect-diagnosis: dx is the batch size N times too small
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    return dy @ W / x.shape[0], dy.T @ x, dy.sum(axis=0)
