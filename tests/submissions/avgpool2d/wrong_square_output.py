# expect-verdict: wrong_answer
# expect-diagnosis: one size is used for both height and width
import numpy as np


def avgpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    out = (h - k) // stride + 1  # tried on square images only
    y = np.zeros((n, c, out, out))
    for i in range(out):
        for j in range(out):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].mean(axis=(2, 3))
    return y


def avgpool2d_backward(dy, x, kernel_size, stride):
    k = kernel_size
    dx = np.zeros(x.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            dx[:, :, i * stride : i * stride + k, j * stride : j * stride + k] += dy[:, :, i, j][:, :, None, None] / (k * k)
    return dx
