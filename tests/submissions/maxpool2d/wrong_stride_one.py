# expect-verdict: wrong_answer
# expect-diagnosis: y is pooled with stride 1
# expect-diagnosis: dx places the windows at stride 1
import numpy as np


def maxpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    y = np.zeros((n, c, h - k + 1, w - k + 1))
    for i in range(h - k + 1):
        for j in range(w - k + 1):
            y[:, :, i, j] = x[:, :, i : i + k, j : j + k].max(axis=(2, 3))
    return y


def maxpool2d_backward(dy, x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    dx = np.zeros_like(x)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            idx = x[:, :, i : i + k, j : j + k].reshape(n, c, k * k).argmax(axis=2)
            for a in range(n):
                for b in range(c):
                    dx[a, b, i + idx[a, b] // k, j + idx[a, b] % k] += dy[a, b, i, j]
    return dx
