# expect-verdict: wrong_answer
# expect-diagnosis: misses the one through the batch mean
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    if not train:
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, running_mean, running_var
    n = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    return y, (1 - momentum) * running_mean + momentum * mu, (1 - momentum) * running_var + momentum * var * n / (n - 1)


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    std = np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) / std
    g = dy * gamma
    return (g - xhat * (g * xhat).mean(axis=0)) / std, (dy * xhat).sum(axis=0), dy.sum(axis=0)
