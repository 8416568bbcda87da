# expect-verdict: wrong_answer
# expect-diagnosis: y is each window's sum
# expect-diagnosis: dx is missing the 1 / kernel_size**2 factor
import numpy as np


def avgpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    h_out, w_out = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].sum(axis=(2, 3))
    return y


def avgpool2d_backward(dy, x, kernel_size, stride):
    k = kernel_size
    dx = np.zeros(x.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            dx[:, :, i * stride : i * stride + k, j * stride : j * stride + k] += dy[:, :, i, j][:, :, None, None]
    return dx
