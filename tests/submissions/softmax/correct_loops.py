import math

import numpy as np


def softmax(z):
    rows = z.reshape(-1, z.shape[-1])
    out = np.empty(rows.shape)
    for i in range(rows.shape[0]):
        m = max(rows[i])
        exps = [math.exp(v - m) for v in rows[i]]
        total = math.fsum(exps)
        for j, e in enumerate(exps):
            out[i, j] = e / total
    return out.reshape(z.shape)
