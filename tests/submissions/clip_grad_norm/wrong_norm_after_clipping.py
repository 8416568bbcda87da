# expect-verdict: wrong_answer
# expect-diagnosis: total_norm is measured after clipping
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    coef = max_norm / (total_norm + eps)
    clipped = tuple(g * coef for g in grads) if coef < 1 else tuple(grads)
    return clipped, float(np.sqrt(sum(np.sum(g * g) for g in clipped)))
