import numpy as np


def _sizes(H, W, kh, kw, stride, padding):
    return (H + 2 * padding - kh) // stride + 1, (W + 2 * padding - kw) // stride + 1


def im2col(x, kh, kw, stride=1, padding=0):
    N, C, H, W = x.shape
    Ho, Wo = _sizes(H, W, kh, kw, stride, padding)
    xp = np.pad(x.astype(np.float32), ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    rows = []
    for n in range(N):
        for oh in range(Ho):
            for ow in range(Wo):
                r, c = oh * stride, ow * stride
                rows.append(xp[n, :, r : r + kh, c : c + kw].ravel())
    return np.array(rows)


def col2im(cols, x_shape, kh, kw, stride=1, padding=0):
    N, C, H, W = x_shape
    Ho, Wo = _sizes(H, W, kh, kw, stride, padding)
    xp = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
    row = 0
    for n in range(N):
        for oh in range(Ho):
            for ow in range(Wo):
                r, c = oh * stride, ow * stride
                xp[n, :, r : r + kh, c : c + kw] += cols[row].reshape(C, kh, kw)
                row += 1
    return xp[:, :, padding : xp.shape[2] - padding, padding : xp.shape[3] - padding]
