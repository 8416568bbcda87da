# expect-verdict: wrong_answer
# expect-diagnosis: misses the one through the row variance
import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(dy, x, gamma, eps=1e-5):
    std = np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=-1, keepdims=True)) / std
    g = dy * gamma
    lead = tuple(range(x.ndim - 1))
    return (g - g.mean(axis=-1, keepdims=True)) / std, (dy * xhat).sum(axis=lead), dy.sum(axis=lead)
