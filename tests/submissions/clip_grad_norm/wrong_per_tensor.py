# expect-verdict: wrong_answer
# expect-diagnosis: each gradient is clipped by its own norm
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    clipped = []
    for g in grads:
        n = np.linalg.norm(g)
        clipped.append(g * (max_norm / (n + eps)) if n > max_norm else g.copy())
    total_norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    return tuple(clipped), total_norm
