# expect-verdict: wrong_answer
# expect-diagnosis: maxpool2d_backward modified its input x in place
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
    marked = np.zeros(x.shape, dtype=bool)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            r, s = i * stride, j * stride
            window = x[:, :, r : r + k, s : s + k]  # a view into x
            idx = window.reshape(n, c, k * k).argmax(axis=2)
            for a in range(n):
                for b in range(c):
                    p, q = r + idx[a, b] // k, s + idx[a, b] % k
                    dx[a, b, p, q] += dy[a, b, i, j]
                    marked[a, b, p, q] = True
    x[~marked] = 0.0  # "clean up" the positions that got no gradient -- but x is the caller's array
    return dx
