# expect-verdict: wrong_answer
# expect-diagnosis: mask is upper-triangular (transposed)
import numpy as np


def causal_mask(Lq, Lk, offset=0):
    i = np.arange(Lq)[:, None]
    j = np.arange(Lk)[None, :]
    return i <= j + offset
