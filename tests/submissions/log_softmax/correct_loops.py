import math

import numpy as np


def log_softmax(z):
    rows = z.reshape(-1, z.shape[-1])
    out = np.empty(rows.shape)
    for i in range(rows.shape[0]):
        m = max(rows[i])
        lse = m + math.log(math.fsum(math.exp(v - m) for v in rows[i]))
        for j in range(rows.shape[1]):
            out[i, j] = rows[i, j] - lse
    return out.reshape(z.shape)
