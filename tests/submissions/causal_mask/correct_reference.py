import numpy as np


def causal_mask(Lq, Lk, offset=0):
    i = np.arange(Lq)[:, None]
    j = np.arange(Lk)[None, :]
    return j <= i + offset
