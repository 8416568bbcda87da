import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    coef = max_norm / (total_norm + eps)
    if coef < 1:
        return tuple(g * coef for g in grads), total_norm
    return tuple(g.copy() for g in grads), total_norm
