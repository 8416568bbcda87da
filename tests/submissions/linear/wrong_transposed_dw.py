# expect-verdict: wrong_answer
# expect-diagnosis: dW is the transpose of the expected gradient
# expect-diagnosis: linear_forward is right but your linear_backward does not match
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    return dy @ W, x.T @ dy, dy.sum(axis=0)
