# expect-verdict: wrong_answer
# expect-diagnosis: y is normalised over all channels at once (layer norm
# expect-diagnosis: dx is the gradient of a normalisation over all channels (layer norm)
import numpy as np


def groupnorm_forward(x, gamma, beta, num_groups, eps=1e-5):
    N, C, H, W = x.shape
    xg = x.reshape(N, 1, -1)
    mu = xg.mean(axis=-1, keepdims=True)
    var = xg.var(axis=-1, keepdims=True)
    xhat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    return gamma[None, :, None, None] * xhat + beta[None, :, None, None]


def groupnorm_backward(dy, x, gamma, num_groups, eps=1e-5):
    N, C, H, W = x.shape
    xg = x.reshape(N, 1, -1)
    std = np.sqrt(xg.var(axis=-1, keepdims=True) + eps)
    xhat = (xg - xg.mean(axis=-1, keepdims=True)) / std
    dgamma = (dy * xhat.reshape(x.shape)).sum(axis=(0, 2, 3))
    dbeta = dy.sum(axis=(0, 2, 3))
    g = (dy * gamma[None, :, None, None]).reshape(N, 1, -1)
    dx = (g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True)) / std
    return dx.reshape(x.shape), dgamma, dbeta
