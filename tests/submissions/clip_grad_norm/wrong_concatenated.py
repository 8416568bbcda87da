# expect-verdict: invalid_output
# expect-diagnosis: clipped must be a tuple (or list) of arrays
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    flat = np.concatenate([g.ravel() for g in grads])
    total_norm = float(np.linalg.norm(flat))
    coef = min(1.0, max_norm / (total_norm + eps))
    return flat * coef, total_norm
