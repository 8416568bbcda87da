# expect-verdict: wrong_answer
# expect-diagnosis: each element is clipped by value
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    return tuple(np.clip(g, -max_norm, max_norm) for g in grads), total_norm
