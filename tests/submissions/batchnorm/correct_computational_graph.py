import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    if not train:
        xhat = (x - running_mean) / np.sqrt(running_var + eps)
        return gamma * xhat + beta, running_mean.copy(), running_var.copy()
    n = x.shape[0]
    mu = np.sum(x, axis=0) / n
    xc = x - mu
    var = np.sum(xc * xc, axis=0) / n
    y = gamma * xc / np.sqrt(var + eps) + beta
    unbiased = np.sum(xc * xc, axis=0) / (n - 1)
    new_mean = running_mean + momentum * (mu - running_mean)
    new_var = running_var + momentum * (unbiased - running_var)
    return y, new_mean, new_var


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    # Step by step through the graph: mu -> xc -> var -> std -> inv -> xhat -> y.
    n = x.shape[0]
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    inv = 1.0 / std
    xhat = xc * inv
    dbeta = dy.sum(axis=0)
    dgamma = (dy * xhat).sum(axis=0)
    dxhat = dy * gamma
    dinv = (dxhat * xc).sum(axis=0)
    dxc = dxhat * inv
    dstd = -dinv / std ** 2
    dvar = dstd * 0.5 / std
    dxc += 2.0 * xc * dvar / n
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / n
    return dx, dgamma, dbeta
