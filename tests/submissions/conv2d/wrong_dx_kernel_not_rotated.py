# expect-verdict: wrong_answer
# expect-diagnosis: dx is the gradient for the kernel rotated by 180 degrees
# expect-diagnosis: the mistake is in the backward pass
import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    f, c, kh, kw = W.shape
    ho = (xp.shape[2] - kh) // stride + 1
    wo = (xp.shape[3] - kw) // stride + 1
    y = np.zeros((x.shape[0], f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r, s = i * stride, j * stride
            y[:, :, i, j] = np.einsum("ncij,fcij->nf", xp[:, :, r : r + kh, s : s + kw], W)
    return y + b[None, :, None, None]


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    ho, wo = dy.shape[2], dy.shape[3]
    hp, wp = h + 2 * padding, w + 2 * padding
    dil = np.zeros((n, f, hp - kh + 1, wp - kw + 1))
    dil[:, :, : stride * ho : stride, : stride * wo : stride] = dy
    full = np.pad(dil, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    dxp = np.zeros((n, c, hp, wp))
    for i in range(hp):
        for j in range(wp):
            # Full correlation of dy with W -- the kernel should have been rotated by 180 degrees.
            dxp[:, :, i, j] = np.einsum("nfij,fcij->nc", full[:, :, i : i + kh, j : j + kw], W)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dW = np.zeros_like(W)
    for i in range(ho):
        for j in range(wo):
            r, s = i * stride, j * stride
            dW += np.einsum("nf,ncij->fcij", dy[:, :, i, j], xp[:, :, r : r + kh, s : s + kw])
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, dy.sum(axis=(0, 2, 3))
