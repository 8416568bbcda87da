# expect-verdict: wrong_answer
# expect-diagnosis: y uses the kernel flipped in space
# expect-diagnosis: dx uses the kernel flipped in space
import numpy as np


def _flip(W):
    return W[:, :, ::-1, ::-1]  # as if a transposed convolution needed the rotated kernel even when scattering


def conv_transpose2d_forward(x, W, b, stride=1, padding=0):
    N, Cin, H, Wd = x.shape
    K = _flip(W)
    _, Cout, KH, KW = K.shape
    full = np.zeros((N, Cout, (H - 1) * stride + KH, (Wd - 1) * stride + KW))
    for r in range(H):
        for c in range(Wd):
            full[:, :, r * stride : r * stride + KH, c * stride : c * stride + KW] += np.tensordot(
                x[:, :, r, c], K, axes=(1, 0)
            )
    Hf, Wf = full.shape[2:]
    return full[:, :, padding : Hf - padding, padding : Wf - padding] + b[None, :, None, None]


def conv_transpose2d_backward(dy, x, W, b, stride=1, padding=0):
    N, Cin, H, Wd = x.shape
    K = _flip(W)
    _, Cout, KH, KW = K.shape
    Hf, Wf = (H - 1) * stride + KH, (Wd - 1) * stride + KW
    dfull = np.zeros((N, Cout, Hf, Wf))
    dfull[:, :, padding : Hf - padding, padding : Wf - padding] = dy
    dx = np.zeros(x.shape)
    dK = np.zeros(K.shape)
    for r in range(H):
        for c in range(Wd):
            patch = dfull[:, :, r * stride : r * stride + KH, c * stride : c * stride + KW]
            dx[:, :, r, c] = np.tensordot(patch, K, axes=([1, 2, 3], [1, 2, 3]))
            dK += np.tensordot(x[:, :, r, c], patch, axes=(0, 0))
    return dx, _flip(dK), dy.sum(axis=(0, 2, 3))
