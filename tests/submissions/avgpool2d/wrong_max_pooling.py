# expect-verdict: wrong_answer
# expect-diagnosis: y takes each window's maximum
# expect-diagnosis: dx routes each window's gradient to its maximum
import numpy as np


def avgpool2d_forward(x, kernel_size, stride):
    n, c, h, w = x.shape
    k = kernel_size
    h_out, w_out = (h - k) // stride + 1, (w - k) // stride + 1
    y = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            y[:, :, i, j] = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].max(axis=(2, 3))
    return y


def avgpool2d_backward(dy, x, kernel_size, stride):
    n, c = x.shape[:2]
    k = kernel_size
    dx = np.zeros(x.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            win = x[:, :, i * stride : i * stride + k, j * stride : j * stride + k].reshape(n, c, -1)
            idx = win.argmax(axis=2)
            for a in range(n):
                for b in range(c):
                    r, s = divmod(int(idx[a, b]), k)
                    dx[a, b, i * stride + r, j * stride + s] += dy[a, b, i, j]
    return dx
