# expect-verdict: wrong_answer
# expect-diagnosis: y subtracts the row mean: that is layer norm
import numpy as np


def rmsnorm_forward(x, weight, eps=1e-6):
    c = x - x.mean(axis=-1, keepdims=True)
    return c / np.sqrt(np.mean(c**2, axis=-1, keepdims=True) + eps) * weight


def rmsnorm_backward(dy, x, weight, eps=1e-6):
    r = 1.0 / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)
    xhat = x * r
    g = dy * weight
    dx = r * (g - xhat * np.mean(g * xhat, axis=-1, keepdims=True))
    return dx, (dy * xhat).reshape(-1, x.shape[-1]).sum(axis=0)
