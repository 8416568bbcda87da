# expect-verdict: wrong_answer
# expect-diagnosis: batchnorm_forward modified its input running_mean, running_var in place
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    if not train:
        return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta, running_mean, running_var
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    # In-place update, as a stateful module would do: changes the caller's arrays.
    running_mean *= 1 - momentum
    running_mean += momentum * mu
    running_var *= 1 - momentum
    running_var += momentum * var * n / (n - 1)
    return y, running_mean, running_var


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    g = dy * gamma
    dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)
