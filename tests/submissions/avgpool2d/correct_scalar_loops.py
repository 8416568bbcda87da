import numpy as np


def avgpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    ho, wo = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, ho, wo))
    for a in range(n):
        for b in range(c):
            for i in range(ho):
                for j in range(wo):
                    s = 0.0
                    for p in range(k):
                        for q in range(k):
                            s += x[a, b, i * stride + p, j * stride + q]
                    y[a, b, i, j] = s / (k * k)
    return y


def avgpool2d_backward(dy, x, kernel_size, stride):
    n, c, ho, wo = dy.shape
    k = kernel_size
    dx = np.zeros(x.shape)
    for a in range(n):
        for b in range(c):
            for i in range(ho):
                for j in range(wo):
                    for p in range(k):
                        for q in range(k):
                            dx[a, b, i * stride + p, j * stride + q] += dy[a, b, i, j] / (k * k)
    return dx
