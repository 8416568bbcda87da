# expect-verdict: runtime_error
# expect-diagnosis: one size is used for both height and width
import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    ho = (h + 2 * padding - kh) // stride + 1
    wo = ho  # written for square images
    y = np.zeros((n, f, ho, wo))
    for i in range(ho):
        for j in range(wo):
            region = xp[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            y[:, :, i, j] = np.tensordot(region, W, axes=([1, 2, 3], [1, 2, 3]))
    return y + b[None, :, None, None]


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    f, _, kh, kw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dxp = np.zeros_like(xp)
    dW = np.zeros_like(W)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            rs, cs = i * stride, j * stride
            region = xp[:, :, rs : rs + kh, cs : cs + kw]
            dW += np.tensordot(dy[:, :, i, j], region, axes=([0], [0]))
            dxp[:, :, rs : rs + kh, cs : cs + kw] += np.tensordot(dy[:, :, i, j], W, axes=([1], [0]))
    dx = dxp[:, :, padding : padding + x.shape[2], padding : padding + x.shape[3]]
    return dx, dW, dy.sum(axis=(0, 2, 3))
