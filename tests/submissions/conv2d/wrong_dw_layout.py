# expect-verdict: wrong_answer
# expect-diagnosis: dW has its axes in the order (C, F, KH, KW)
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _win(x, kh, kw, stride, padding):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return xp, sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]


def conv2d_forward(x, W, b, stride=1, padding=0):
    _, win = _win(x, W.shape[2], W.shape[3], stride, padding)
    return np.einsum("nchwij,fcij->nfhw", win, W) + b[None, :, None, None]


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    f, c, kh, kw = W.shape
    xp, win = _win(x, kh, kw, stride, padding)
    ho, wo = dy.shape[2], dy.shape[3]
    dW = np.einsum("nchwij,nfhw->cfij", win[:, :, :ho, :wo], dy)
    dxp = np.zeros_like(xp)
    for i in range(ho):
        for j in range(wo):
            r, s = i * stride, j * stride
            dxp[:, :, r : r + kh, s : s + kw] += np.einsum("nf,fcij->ncij", dy[:, :, i, j], W)
    h, w = x.shape[2], x.shape[3]
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, dy.sum(axis=(0, 2, 3))
