import numpy as np


def maxpool2d_forward(x, kernel_size, stride):
    x = x.astype(np.float32)
    n, c, h, w = x.shape
    k = kernel_size
    ho, wo = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, ho, wo), dtype=np.float32)
    for a in range(n):
        for b in range(c):
            for i in range(ho):
                for j in range(wo):
                    best = -np.inf
                    for p in range(k):
                        for q in range(k):
                            best = max(best, x[a, b, i * stride + p, j * stride + q])
                    y[a, b, i, j] = best
    return y


def maxpool2d_backward(dy, x, kernel_size, stride):
    x = x.astype(np.float32)
    n, c, h, w = x.shape
    k = kernel_size
    dx = np.zeros((n, c, h, w), dtype=np.float32)
    for a in range(n):
        for b in range(c):
            for i in range(dy.shape[2]):
                for j in range(dy.shape[3]):
                    best, where = -np.inf, None
                    for p in range(k):
                        for q in range(k):
                            v = x[a, b, i * stride + p, j * stride + q]
                            if v > best:  # strict: the first maximum wins
                                best, where = v, (i * stride + p, j * stride + q)
                    dx[a, b, where[0], where[1]] += dy[a, b, i, j]
    return dx
