import math

import numpy as np


def clip_grad_norm(grads, max_norm, eps=1e-6):
    sq = 0.0
    for g in grads:
        for value in g.flat:
            sq += value * value
    total_norm = math.sqrt(sq)
    out = []
    for g in grads:
        if total_norm > max_norm:
            out.append(g * (max_norm / total_norm))  # eps left out: a difference far below the tolerance
        else:
            out.append(np.array(g))
    return tuple(out), total_norm
