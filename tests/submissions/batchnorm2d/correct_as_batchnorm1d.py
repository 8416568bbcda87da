import numpy as np

# Move channels last and flatten: every (n, h, w) position becomes one row of a (N*H*W, C) batch-norm-1-D problem.


def _rows(a):
    return a.transpose(0, 2, 3, 1).reshape(-1, a.shape[1])


def _back(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    r = _rows(x)
    if train:
        mu, var = r.mean(axis=0), r.var(axis=0)
        m = r.shape[0]
        new_mean = running_mean + momentum * (mu - running_mean)
        new_var = running_var + momentum * (r.var(axis=0, ddof=1) - running_var)
    else:
        mu, var = running_mean, running_var
        new_mean, new_var = running_mean, running_var
    y = gamma * (r - mu) / np.sqrt(var + eps) + beta
    return _back(y, x.shape), new_mean, new_var


def batchnorm2d_backward(dy, x, gamma, eps=1e-5):
    r, d = _rows(x), _rows(dy)
    std = np.sqrt(r.var(axis=0) + eps)
    xhat = (r - r.mean(axis=0)) / std
    g = d * gamma
    dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / std
    return _back(dx, x.shape), (d * xhat).sum(axis=0), d.sum(axis=0)
