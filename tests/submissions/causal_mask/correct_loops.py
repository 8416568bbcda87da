import numpy as np


def causal_mask(Lq, Lk, offset=0):
    mask = np.zeros((Lq, Lk), dtype=bool)
    for i in range(Lq):
        for j in range(Lk):
            if j <= i + offset:
                mask[i, j] = True
    return mask
