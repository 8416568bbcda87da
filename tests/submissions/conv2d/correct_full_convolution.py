import numpy as np


def _correlate(xp, K, stride):
    # xp (N, C, H, W), K (F, C, KH, KW) -> (N, F, Ho, Wo), valid cross-correlation.
    f, c, kh, kw = K.shape
    ho = (xp.shape[2] - kh) // stride + 1
    wo = (xp.shape[3] - kw) // stride + 1
    out = np.zeros((xp.shape[0], f, ho, wo))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i : i + stride * (ho - 1) + 1 : stride, j : j + stride * (wo - 1) + 1 : stride]
            out += np.tensordot(patch, K[:, :, i, j], axes=([1], [1])).transpose(0, 3, 1, 2)
    return out


def conv2d_forward(x, W, b, stride=1, padding=0):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    return _correlate(xp, W, stride) + b.reshape(1, -1, 1, 1)


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    ho, wo = dy.shape[2], dy.shape[3]
    # Dilate dy by the stride, then a full correlation with the kernel rotated by 180 degrees gives dx_padded.
    hp, wp = h + 2 * padding, w + 2 * padding
    dil = np.zeros((n, f, hp - kh + 1, wp - kw + 1))
    dil[:, :, : stride * ho : stride, : stride * wo : stride] = dy
    full = np.pad(dil, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    rot = W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, F, KH, KW)
    dxp = _correlate(full, rot, 1)
    dx = dxp[:, :, padding : padding + h, padding : padding + w]
    # dW: correlate the padded input with the dilated dy, channel by channel.
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    dW = np.zeros_like(W)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i : i + dil.shape[2], j : j + dil.shape[3]]
            dW[:, :, i, j] = np.einsum("nfhw,nchw->fc", dil, patch)
    return dx, dW, dy.sum(axis=(0, 2, 3))
