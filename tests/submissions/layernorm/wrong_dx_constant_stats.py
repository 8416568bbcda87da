# expect-verdict: wrong_answer
# expect-diagnosis: dx treats each row's mean and variance as constants
# expect-diagnosis: the mistake is in the backward pass
import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def layernorm_backward(dy, x, gamma, eps=1e-5):
    std = np.sqrt(x.var(axis=-1, keepdims=True) + eps)
    xhat = (x - x.mean(axis=-1, keepdims=True)) / std
    lead = tuple(range(x.ndim - 1))
    return dy * gamma / std, (dy * xhat).sum(axis=lead), dy.sum(axis=lead)
