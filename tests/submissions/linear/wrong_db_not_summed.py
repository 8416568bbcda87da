# expect-verdict: wrong_answer
# expect-diagnosis: db is not summed over the batch
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy
