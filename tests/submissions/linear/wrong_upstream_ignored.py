# expect-verdict: wrong_answer
# expect-diagnosis: dx ignores the upstream gradient dy
# expect-diagnosis: dW ignores the upstream gradient dy
# expect-diagnosis: linear_forward is right but your linear_backward does not match
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    ones = np.ones_like(dy)
    return ones @ W, ones.T @ x, dy.sum(axis=0)
