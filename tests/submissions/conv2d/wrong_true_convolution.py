# expect-verdict: wrong_answer
# expect-diagnosis: y is a true convolution (the kernel is flipped)
# expect-diagnosis: dW is flipped in space
# expect-diagnosis: dx is the gradient for the kernel rotated by 180 degrees
# expect-diagnosis: fix the forward computation first
import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    K = W[:, :, ::-1, ::-1]  # "convolution" flips the kernel
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    f, c, kh, kw = W.shape
    ho = (xp.shape[2] - kh) // stride + 1
    wo = (xp.shape[3] - kw) // stride + 1
    y = np.zeros((x.shape[0], f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            r, s = i * stride, j * stride
            y[:, :, i, j] = np.einsum("ncij,fcij->nf", xp[:, :, r : r + kh, s : s + kw], K)
    return y + b[None, :, None, None]


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    K = W[:, :, ::-1, ::-1]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    f, c, kh, kw = W.shape
    dxp = np.zeros_like(xp)
    dK = np.zeros_like(W)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            r, s = i * stride, j * stride
            dK += np.einsum("nf,ncij->fcij", dy[:, :, i, j], xp[:, :, r : r + kh, s : s + kw])
            dxp[:, :, r : r + kh, s : s + kw] += np.einsum("nf,fcij->ncij", dy[:, :, i, j], K)
    h, w = x.shape[2], x.shape[3]
    dW = dK[:, :, ::-1, ::-1]  # consistent with the flipped forward
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, dy.sum(axis=(0, 2, 3))
