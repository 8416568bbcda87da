import numpy as np


def groupnorm_forward(x, gamma, beta, num_groups, eps=1e-5):
    N, C, H, W = x.shape
    xg = x.reshape(N, num_groups, C // num_groups, H, W)
    axes = (2, 3, 4)
    mu = xg.mean(axis=axes, keepdims=True)
    inv = 1.0 / np.sqrt(((xg - mu) ** 2).mean(axis=axes, keepdims=True) + eps)
    xhat = ((xg - mu) * inv).reshape(N, C, H, W)
    return xhat * gamma.reshape(1, C, 1, 1) + beta.reshape(1, C, 1, 1)


def groupnorm_backward(dy, x, gamma, num_groups, eps=1e-5):
    # Step by step through mu -> xc -> var -> inv -> xhat, one group at a time via a 5-D view.
    N, C, H, W = x.shape
    axes = (2, 3, 4)
    xg = x.reshape(N, num_groups, C // num_groups, H, W)
    m = xg[0, 0].size
    mu = xg.mean(axis=axes, keepdims=True)
    xc = xg - mu
    var = (xc**2).mean(axis=axes, keepdims=True)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv
    dxhat = (dy * gamma.reshape(1, C, 1, 1)).reshape(xg.shape)
    dinv = (dxhat * xc).sum(axis=axes, keepdims=True)
    dvar = dinv * -0.5 * inv**3
    dxc = dxhat * inv + dvar * 2.0 * xc / m
    dmu = -dxc.sum(axis=axes, keepdims=True)
    dx = (dxc + dmu / m).reshape(x.shape)
    dgamma = np.einsum("nchw,nchw->c", dy, xhat.reshape(x.shape))
    dbeta = np.einsum("nchw->c", dy)
    return dx, dgamma, dbeta
