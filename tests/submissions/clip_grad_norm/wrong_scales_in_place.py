# expect-verdict: wrong_answer
# expect-diagnosis: clip_grad_norm modified its input grads[0]
import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    # PyTorch's clip_grad_norm_ scales the gradients in place; this task's function must not touch its inputs.
    total_norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    coef = max_norm / (total_norm + eps)
    if coef < 1:
        for g in grads:
            g *= coef
    return tuple(grads), total_norm
