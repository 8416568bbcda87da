# expect-verdict: wrong_answer
# expect-diagnosis: dx has an extra path through the row mean
import numpy as np


def rmsnorm_forward(x, weight, eps=1e-6):
    return x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps) * weight


def rmsnorm_backward(dy, x, weight, eps=1e-6):
    r = 1.0 / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)
    xhat = x * r
    g = dy * weight
    dx = r * (g - g.mean(axis=-1, keepdims=True) - xhat * np.mean(g * xhat, axis=-1, keepdims=True))
    return dx, (dy * xhat).reshape(-1, x.shape[-1]).sum(axis=0)
