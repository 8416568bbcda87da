# expect-verdict: wrong_answer
# expect-diagnosis: rounded with round()
import numpy as np


def maxpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    ho = int(round((h - k) / stride)) + 1
    wo = int(round((w - k) / stride)) + 1
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].max(axis=(2, 3))
    return y


def maxpool2d_backward(dy, x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    dx = np.zeros(x.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            win = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].reshape(n, c, -1)
            idx = win.argmax(axis=2)
            r, q = np.divmod(idx, k)
            for a in range(n):
                for b in range(c):
                    dx[a, b, i * stride + r[a, b], j * stride + q[a, b]] += dy[a, b, i, j]
    return dx
