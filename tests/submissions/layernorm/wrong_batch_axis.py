# expect-verdict: wrong_answer
# expect-diagnosis: y is normalised over axis 0
# expect-diagnosis: dx is the gradient of a normalisation over axis 0
import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(dy, x, gamma, eps=1e-5):
    std = np.sqrt(x.var(axis=0, keepdims=True) + eps)
    xhat = (x - x.mean(axis=0, keepdims=True)) / std
    g = dy * gamma
    dx = (g - g.mean(axis=0, keepdims=True) - xhat * (g * xhat).mean(axis=0, keepdims=True)) / std
    lead = tuple(range(x.ndim - 1))
    return dx, (dy * xhat).sum(axis=lead), dy.sum(axis=lead)
