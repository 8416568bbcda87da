import math

import numpy as np


def bce_with_logits(logits, targets):
    z, t = logits.ravel(), targets.ravel()
    total = 0.0
    grad = np.empty(z.size)
    for i in range(z.size):
        zi, ti = float(z[i]), float(t[i])
        total += max(zi, 0.0) - zi * ti + math.log1p(math.exp(-abs(zi)))
        if zi >= 0:
            s = 1.0 / (1.0 + math.exp(-zi))
        else:
            e = math.exp(zi)
            s = e / (1.0 + e)
        grad[i] = (s - ti) / z.size
    return total / z.size, grad.reshape(logits.shape)
