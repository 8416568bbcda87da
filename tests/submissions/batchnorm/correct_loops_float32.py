import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    x = x.astype(np.float32)
    n, d = x.shape
    y = np.empty((n, d), dtype=np.float32)
    new_mean = np.array(running_mean, dtype=np.float32)
    new_var = np.array(running_var, dtype=np.float32)
    for j in range(d):
        col = x[:, j]
        if train:
            mu = col.mean()
            var = ((col - mu) ** 2).mean()
            new_mean[j] = (1 - momentum) * running_mean[j] + momentum * mu
            new_var[j] = (1 - momentum) * running_var[j] + momentum * var * n / (n - 1)
        else:
            mu = running_mean[j]
            var = running_var[j]
        for i in range(n):
            y[i, j] = gamma[j] * (col[i] - mu) / np.sqrt(var + eps) + beta[j]
    return y, new_mean, new_var


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    x = x.astype(np.float32)
    dy = dy.astype(np.float32)
    n, d = x.shape
    dx = np.zeros((n, d), dtype=np.float32)
    dgamma = np.zeros(d, dtype=np.float32)
    dbeta = np.zeros(d, dtype=np.float32)
    for j in range(d):
        mu = x[:, j].mean()
        std = np.sqrt(((x[:, j] - mu) ** 2).mean() + eps)
        xhat = (x[:, j] - mu) / std
        g = dy[:, j] * gamma[j]
        for i in range(n):
            dgamma[j] += dy[i, j] * xhat[i]
            dbeta[j] += dy[i, j]
        mean_g = g.mean()
        mean_gx = (g * xhat).mean()
        for i in range(n):
            dx[i, j] = (g[i] - mean_g - xhat[i] * mean_gx) / std
    return dx, dgamma, dbeta
