import numpy as np


def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    x = x.astype(np.float32)
    N, C, H, W = x.shape
    y = np.empty_like(x)
    new_mean = np.array(running_mean, dtype=np.float32)
    new_var = np.array(running_var, dtype=np.float32)
    for c in range(C):
        vals = x[:, c]
        if train:
            m = vals.size
            mu = vals.sum() / m
            var = ((vals - mu) ** 2).sum() / m
            new_mean[c] = (1 - momentum) * running_mean[c] + momentum * mu
            new_var[c] = (1 - momentum) * running_var[c] + momentum * var * m / (m - 1)
        else:
            mu, var = running_mean[c], running_var[c]
        y[:, c] = gamma[c] * (vals - mu) / np.sqrt(var + eps) + beta[c]
    return y, new_mean, new_var


def batchnorm2d_backward(dy, x, gamma, eps=1e-5):
    x, dy = x.astype(np.float32), dy.astype(np.float32)
    N, C, H, W = x.shape
    dx = np.empty_like(x)
    dgamma = np.zeros(C, dtype=np.float32)
    dbeta = np.zeros(C, dtype=np.float32)
    for c in range(C):
        vals, d = x[:, c], dy[:, c]
        mu = vals.mean()
        std = np.sqrt(((vals - mu) ** 2).mean() + eps)
        xhat = (vals - mu) / std
        g = d * gamma[c]
        dx[:, c] = (g - g.mean() - xhat * (g * xhat).mean()) / std
        dgamma[c] = (d * xhat).sum()
        dbeta[c] = d.sum()
    return dx, dgamma, dbeta
