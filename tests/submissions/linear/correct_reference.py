import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
