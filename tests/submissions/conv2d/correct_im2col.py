import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _cols(x, kh, kw, stride, padding):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]  # N, C, Ho, Wo, KH, KW
    return xp, win


def conv2d_forward(x, W, b, stride=1, padding=0):
    _, win = _cols(x, W.shape[2], W.shape[3], stride, padding)
    return np.einsum("nchwij,fcij->nfhw", win, W) + b[None, :, None, None]


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    f, c, kh, kw = W.shape
    xp, win = _cols(x, kh, kw, stride, padding)
    ho, wo = dy.shape[2], dy.shape[3]
    win = win[:, :, :ho, :wo]
    dW = np.einsum("nfhw,nchwij->fcij", dy, win)
    db = dy.sum(axis=(0, 2, 3))
    dcols = np.einsum("nfhw,fcij->nchwij", dy, W)
    dxp = np.zeros_like(xp)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i : i + stride * ho : stride, j : j + stride * wo : stride] += dcols[:, :, :, :, i, j]
    h, w = x.shape[2], x.shape[3]
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, db
