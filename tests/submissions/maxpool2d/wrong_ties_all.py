# expect-verdict: wrong_answer
# expect-diagnosis: on a tie, dx gives the gradient to every maximum of the window
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
    k = kernel_size
    dx = np.zeros_like(x)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            r, s = i * stride, j * stride
            win = x[:, :, r : r + k, s : s + k]
            mask = win == win.max(axis=(2, 3), keepdims=True)
            dx[:, :, r : r + k, s : s + k] += mask * dy[:, :, i, j][:, :, None, None]
    return dx
