# expect-verdict: wrong_answer
# expect-diagnosis: dW is the batch size N times too small
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    n = x.shape[0]
    return dy @ W, dy.T @ x / n, dy.sum(axis=0)
