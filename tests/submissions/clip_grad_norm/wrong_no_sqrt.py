# expect-verdict: wrong_answer
# expect-diagnosis: total_norm is the sum of squares without the square root
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total_norm = float(sum(np.sum(g * g) for g in grads))
    coef = max_norm / (total_norm + eps)
    if coef < 1:
        return tuple(g * coef for g in grads), total_norm
    return tuple(grads), total_norm
