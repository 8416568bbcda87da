# expect-verdict: wrong_answer
# expect-diagnosis: the gradients are scaled up when total_norm < max_norm
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    coef = max_norm / (total_norm + eps)
    return tuple(g * coef for g in grads), total_norm
