# expect-verdict: wrong_answer
# expect-diagnosis: on a tie, dx gives the gradient to the last maximum
import numpy as np


def maxpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    ho, wo = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].max(axis=(2, 3))
    return y


def maxpool2d_backward(dy, x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    dx = np.zeros_like(x)
    for a in range(n):
        for b in range(c):
            for i in range(dy.shape[2]):
                for j in range(dy.shape[3]):
                    best, where = -np.inf, None
                    for p in range(k):
                        for q in range(k):
                            v = x[a, b, i * stride + p, j * stride + q]
                            if v >= best:  # >= lets a later equal value win
                                best, where = v, (i * stride + p, j * stride + q)
                    dx[a, b, where[0], where[1]] += dy[a, b, i, j]
    return dx
