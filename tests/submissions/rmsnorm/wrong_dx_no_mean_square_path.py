# expect-verdict: wrong_answer
# expect-diagnosis: dx treats the row's mean square as a constant
# expect-diagnosis: your rmsnorm_forward is right but your rmsnorm_backward does not match its numerical gradient
import numpy as np


def rmsnorm_forward(x, weight, eps=1e-6):
    return x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps) * weight


def rmsnorm_backward(dy, x, weight, eps=1e-6):
    r = 1.0 / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps)
    return dy * weight * r, (dy * x * r).reshape(-1, x.shape[-1]).sum(axis=0)
