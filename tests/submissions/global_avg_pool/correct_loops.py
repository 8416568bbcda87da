import numpy as np


def global_avg_pool_forward(x):
    n, c, h, w = x.shape
    y = np.zeros((n, c))
    for i in range(n):
        for k in range(c):
            total = 0.0
            for r in range(h):
                for s in range(w):
                    total += x[i, k, r, s]
            y[i, k] = total / (h * w)
    return y


def global_avg_pool_backward(dy, x):
    n, c, h, w = x.shape
    dx = np.zeros(x.shape)
    for i in range(n):
        for k in range(c):
            dx[i, k, :, :] = dy[i, k] / (h * w)
    return dx
