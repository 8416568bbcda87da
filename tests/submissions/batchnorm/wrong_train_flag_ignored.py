# expect-verdict: wrong_answer
# expect-diagnosis: in eval mode (train=False) y is normalised with the batch statistics
# expect-diagnosis: new_running_mean changes in eval mode
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    # Always behaves as in training.
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    y = gamma * (x - mu) / np.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * n / max(n - 1, 1)
    return y, new_mean, new_var


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    n = x.shape[0]
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    g = dy * gamma
    dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)
