# expect-verdict: wrong_answer
# expect-diagnosis: in eval mode (train=False) y is normalised with the batch statistics
# expect-diagnosis: new_running_mean changes in eval mode
import numpy as np


def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, train, momentum=0.1, eps=1e-5):
    g = gamma.reshape(1, -1, 1, 1)
    b = beta.reshape(1, -1, 1, 1)
    if False:
        xhat = (x - running_mean.reshape(1, -1, 1, 1)) / np.sqrt(running_var.reshape(1, -1, 1, 1) + eps)
        return g * xhat + b, running_mean.copy(), running_var.copy()
    m = x.shape[0] * x.shape[2] * x.shape[3]
    mu = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    xhat = (x - mu.reshape(1, -1, 1, 1)) / np.sqrt(var.reshape(1, -1, 1, 1) + eps)
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    return g * xhat + b, new_mean, new_var


def batchnorm2d_backward(dy, x, gamma, eps=1e-5):
    axes = (0, 2, 3)
    m = x.shape[0] * x.shape[2] * x.shape[3]
    mu = x.mean(axis=axes, keepdims=True)
    inv = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    xhat = (x - mu) * inv
    dxhat = dy * gamma.reshape(1, -1, 1, 1)
    dx = inv / m * (m * dxhat - dxhat.sum(axis=axes, keepdims=True) - xhat * (dxhat * xhat).sum(axis=axes, keepdims=True))
    return dx, (dy * xhat).sum(axis=axes), dy.sum(axis=axes)
