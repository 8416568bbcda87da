import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    # as PyTorch: the norm of the vector of per-tensor norms, clamped coefficient, float32 results in a list
    norms = np.array([np.linalg.norm(g.ravel()) for g in grads])
    total_norm = np.linalg.norm(norms)
    coef = min(max_norm / (total_norm + eps), 1.0)
    return [(g * coef).astype(np.float32) for g in grads], np.float32(total_norm)
