# expect-verdict: wrong_answer
# expect-diagnosis: db is summed over the batch but not over the output positions
import numpy as np


def conv_transpose2d_forward(x, W, b, stride=1, padding=0):
    N, Cin, H, Wd = x.shape
    _, Cout, KH, KW = W.shape
    full = np.zeros((N, Cout, (H - 1) * stride + KH, (Wd - 1) * stride + KW))
    for r in range(H):
        for c in range(Wd):
            # (N, Cin) x (Cin, Cout, KH, KW) -> (N, Cout, KH, KW)
            stamp = np.tensordot(x[:, :, r, c], W, axes=(1, 0))
            full[:, :, r * stride : r * stride + KH, c * stride : c * stride + KW] += stamp
    Hf, Wf = full.shape[2:]
    return full[:, :, padding : Hf - padding, padding : Wf - padding] + b[None, :, None, None]


def conv_transpose2d_backward(dy, x, W, b, stride=1, padding=0):
    N, Cin, H, Wd = x.shape
    _, Cout, KH, KW = W.shape
    Hf, Wf = (H - 1) * stride + KH, (Wd - 1) * stride + KW
    dfull = np.zeros((N, Cout, Hf, Wf))
    dfull[:, :, padding : Hf - padding, padding : Wf - padding] = dy
    dx = np.zeros_like(x, dtype=float)
    dW = np.zeros_like(W, dtype=float)
    for r in range(H):
        for c in range(Wd):
            patch = dfull[:, :, r * stride : r * stride + KH, c * stride : c * stride + KW]  # (N, Cout, KH, KW)
            dx[:, :, r, c] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3]))
            dW += np.tensordot(x[:, :, r, c], patch, axes=(0, 0))
    return dx, dW, dy.sum(axis=0)
