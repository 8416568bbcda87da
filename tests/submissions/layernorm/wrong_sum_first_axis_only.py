# expect-verdict: wrong_answer
# expect-diagnosis: dgamma is not summed over all leading axes
# expect-diagnosis: dbeta is not summed over all leading axes
import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(dy, x, gamma, eps=1e-5):
    std = np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=-1, keepdims=True)) / std
    g = dy * gamma
    dx = (g - g.mean(axis=-1, keepdims=True) - xhat * (g * xhat).mean(axis=-1, keepdims=True)) / std
    # Written for 2-D inputs: only the first axis is summed.
    return dx, (dy * xhat).sum(axis=0), dy.sum(axis=0)
