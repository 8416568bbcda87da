# expect-verdict: wrong_answer
# expect-diagnosis: in train mode (train=True) y is normalised with the running statistics
# expect-diagnosis: new_running_mean is running_mean unchanged
import numpy as np


def batchnorm_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    y = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    return y, running_mean, running_var


def batchnorm_backward(dy, x, gamma, eps=1e-5):
    xhat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    g = dy * gamma
    dx = (g - g.mean(axis=0) - xhat * (g * xhat).mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)
