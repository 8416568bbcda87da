import numpy as np


def _corr(img, K):
    # img (N, A, Hi, Wi), K (B, A, KH, KW) -> valid cross-correlation (N, B, Hi - KH + 1, Wi - KW + 1)
    KH, KW = K.shape[2:]
    Ho, Wo = img.shape[2] - KH + 1, img.shape[3] - KW + 1
    out = np.zeros((img.shape[0], K.shape[0], Ho, Wo), dtype=np.float32)
    for i in range(KH):
        for j in range(KW):
            out += np.einsum("nahw,ba->nbhw", img[:, :, i : i + Ho, j : j + Wo], K[:, :, i, j])
    return out


def _stuff(x, stride, KH, KW):
    # zeros between the pixels, then a border of K - 1 for a full correlation
    N, C, H, W = x.shape
    z = np.zeros((N, C, (H - 1) * stride + 1 + 2 * (KH - 1), (W - 1) * stride + 1 + 2 * (KW - 1)), np.float32)
    z[:, :, KH - 1 : KH - 1 + (H - 1) * stride + 1 : stride, KW - 1 : KW - 1 + (W - 1) * stride + 1 : stride] = x
    return z


def conv_transpose2d_forward(x, W, b, stride=1, padding=0):
    KH, KW = W.shape[2:]
    K = W.astype(np.float32).transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]  # (Cout, Cin), flipped
    full = _corr(_stuff(x.astype(np.float32), stride, KH, KW), K)
    Hf, Wf = full.shape[2:]
    return full[:, :, padding : Hf - padding, padding : Wf - padding] + b.astype(np.float32)[None, :, None, None]


def conv_transpose2d_backward(dy, x, W, b, stride=1, padding=0):
    N, Cin, H, Wd = x.shape
    KH, KW = W.shape[2:]
    Hf, Wf = (H - 1) * stride + KH, (Wd - 1) * stride + KW
    dfull = np.zeros((N, W.shape[1], Hf, Wf), np.float32)
    dfull[:, :, padding : Hf - padding, padding : Wf - padding] = dy
    # dx is conv2d of dfull with W (Cin, Cout) at the given stride
    dense = _corr(dfull, W.astype(np.float32))
    dx = dense[:, :, ::stride, ::stride][:, :, :H, :Wd]
    dW = np.zeros(W.shape, np.float32)
    x32 = x.astype(np.float32)
    for i in range(KH):
        for j in range(KW):
            g = dfull[:, :, i : i + (H - 1) * stride + 1 : stride, j : j + (Wd - 1) * stride + 1 : stride]
            dW[:, :, i, j] = np.einsum("nchw,nohw->co", x32, g)
    return dx, dW, dy.sum(axis=(0, 2, 3))
