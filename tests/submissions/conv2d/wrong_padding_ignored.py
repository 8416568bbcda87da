# expect-verdict: wrong_answer
# expect-diagnosis: y ignores the padding
import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    f, c, kh, kw = W.shape
    ho = (x.shape[2] - kh) // stride + 1
    wo = (x.shape[3] - kw) // stride + 1
    y = np.zeros((x.shape[0], f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            region = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            y[:, :, i, j] = np.einsum("ncij,fcij->nf", region, W)
    return y + b[None, :, None, None]


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    f, c, kh, kw = W.shape
    dxp = np.zeros_like(xp)
    dW = np.zeros_like(W)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            r, s = i * stride, j * stride
            dW += np.einsum("nf,ncij->fcij", dy[:, :, i, j], xp[:, :, r : r + kh, s : s + kw])
            dxp[:, :, r : r + kh, s : s + kw] += np.einsum("nf,fcij->ncij", dy[:, :, i, j], W)
    h, w = x.shape[2], x.shape[3]
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, dy.sum(axis=(0, 2, 3))
