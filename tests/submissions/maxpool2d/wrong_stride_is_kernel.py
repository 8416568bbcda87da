# expect-verdict: wrong_answer
# expect-diagnosis: y assumes stride = kernel_size
# expect-diagnosis: dx places the windows at stride = kernel_size
import numpy as np


def maxpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    ho, wo = (h - k) // k + 1, (w - k) // k + 1
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = x[:, :, i * k : i * k + k, j * k : j * k + k].max(axis=(2, 3))
    return y


def maxpool2d_backward(dy, x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    dx = np.zeros_like(x)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            r, s = i * k, j * k
            if r + k > h or s + k > w:
                continue
            idx = x[:, :, r : r + k, s : s + k].reshape(n, c, k * k).argmax(axis=2)
            for a in range(n):
                for b in range(c):
                    dx[a, b, r + idx[a, b] // k, s + idx[a, b] % k] += dy[a, b, i, j]
    return dx
