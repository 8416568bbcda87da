# expect-verdict: wrong_answer
# expect-diagnosis: y is missing the bias
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv2d_forward(x, W, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(xp, W.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    return np.einsum("nchwij,fcij->nfhw", win, W)


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    f, c, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dW = np.zeros_like(W)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            r, s = i * stride, j * stride
            dW += np.einsum("nf,ncij->fcij", dy[:, :, i, j], xp[:, :, r : r + kh, s : s + kw])
            dxp[:, :, r : r + kh, s : s + kw] += np.einsum("nf,fcij->ncij", dy[:, :, i, j], W)
    h, w = x.shape[2], x.shape[3]
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, dy.sum(axis=(0, 2, 3))
