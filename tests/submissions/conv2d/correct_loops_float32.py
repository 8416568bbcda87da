import numpy as np


def conv2d_forward(x, W, b, stride=1, padding=0):
    x = x.astype(np.float32)
    W = W.astype(np.float32)
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=np.float32)
    xp[:, :, padding : padding + h, padding : padding + w] = x
    ho = (h + 2 * padding - kh) // stride + 1
    wo = (w + 2 * padding - kw) // stride + 1
    y = np.zeros((n, f, ho, wo), dtype=np.float32)
    for a in range(n):
        for o in range(f):
            for i in range(ho):
                for j in range(wo):
                    region = xp[a, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
                    y[a, o, i, j] = np.sum(region * W[o]) + b[o]
    return y


def conv2d_backward(dy, x, W, b, stride=1, padding=0):
    x = x.astype(np.float32)
    W = W.astype(np.float32)
    dy = dy.astype(np.float32)
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    xp = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=np.float32)
    xp[:, :, padding : padding + h, padding : padding + w] = x
    dxp = np.zeros_like(xp)
    dW = np.zeros_like(W)
    db = np.zeros(f, dtype=np.float32)
    ho, wo = dy.shape[2], dy.shape[3]
    for a in range(n):
        for o in range(f):
            for i in range(ho):
                for j in range(wo):
                    g = dy[a, o, i, j]
                    rs, cs = i * stride, j * stride
                    dW[o] += g * xp[a, :, rs : rs + kh, cs : cs + kw]
                    dxp[a, :, rs : rs + kh, cs : cs + kw] += g * W[o]
                    db[o] += g
    return dxp[:, :, padding : padding + h, padding : padding + w], dW, db
