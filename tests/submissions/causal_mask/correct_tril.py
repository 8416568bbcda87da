import numpy as np


def causal_mask(Lq, Lk, offset=0):
    return np.tril(np.ones((Lq, Lk), dtype=bool), k=offset)
