import numpy as np


def linear_forward(x, W, b):
    n, d_out = x.shape[0], W.shape[0]
    y = np.zeros((n, d_out))
    for i in range(n):
        for o in range(d_out):
            y[i, o] = np.dot(x[i], W[o]) + b[o]
    return y


def linear_backward(dy, x, W, b):
    dx = np.zeros_like(x)
    dW = np.zeros_like(W)
    db = np.zeros_like(b)
    for i in range(x.shape[0]):
        dx[i] = dy[i] @ W
        dW += np.outer(dy[i], x[i])
        db += dy[i]
    return dx, dW, db
