import numpy as np


def rmsnorm_forward(x, weight, eps=1e-6):
    x32 = x.astype(np.float32)
    ms = np.einsum("...d,...d->...", x32, x32)[..., None] / x.shape[-1]
    return x32 * (ms + np.float32(eps)) ** np.float32(-0.5) * weight.astype(np.float32)


def rmsnorm_backward(dy, x, weight, eps=1e-6):
    """Step by step through the graph: ms -> r -> x_hat -> y, in float32."""
    x32, dy32, w32 = x.astype(np.float32), dy.astype(np.float32), weight.astype(np.float32)
    d = x.shape[-1]
    ms = (x32 * x32).sum(axis=-1, keepdims=True) / d
    r = 1.0 / np.sqrt(ms + np.float32(eps))
    xhat = x32 * r
    dweight = (dy32 * xhat).reshape(-1, d).sum(axis=0)
    dxhat = dy32 * w32
    dr = (dxhat * x32).sum(axis=-1, keepdims=True)
    dms = dr * (-0.5) * r**3
    dx = dxhat * r + dms * 2.0 * x32 / d
    return dx, dweight
