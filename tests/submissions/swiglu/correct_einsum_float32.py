import numpy as np


def swiglu_forward(x, W, V):
    x, W, V = (t.astype(np.float32) for t in (x, W, V))
    a = np.einsum("nd,hd->nh", x, W)
    b = np.einsum("nd,hd->nh", x, V)
    return a / (1.0 + np.exp(-a)) * b


def swiglu_backward(dy, x, W, V):
    dy, x, W, V = (t.astype(np.float32) for t in (dy, x, W, V))
    a = np.einsum("nd,hd->nh", x, W)
    b = np.einsum("nd,hd->nh", x, V)
    s = 1.0 / (1.0 + np.exp(-a))
    silu = a * s
    dsilu = s + silu * (1.0 - s)
    da = dy * b * dsilu
    db = dy * silu
    dx = np.einsum("nh,hd->nd", da, W) + np.einsum("nh,hd->nd", db, V)
    return dx, np.einsum("nh,nd->hd", da, x), np.einsum("nh,nd->hd", db, x)
