# expect-verdict: wrong_answer
# expect-diagnosis: in eval mode gamma and beta are not applied
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    if train:
        n = x.shape[0]
        mu = x.mean(axis=0)
        var = x.var(axis=0)
        y = gamma * (x - mu) / np.sqrt(var + eps) + beta
        new_mean = (1 - momentum) * running_mean + momentum * mu
        new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
        return y, new_mean, new_var
    # inference path written from memory: normalised, but never scaled and shifted
    return (x - running_mean) / np.sqrt(running_var + eps), running_mean, running_var


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    dxhat = dy * gamma
    dx = inv / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)
