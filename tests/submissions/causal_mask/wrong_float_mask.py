# expect-verdict: wrong_answer
# expect-diagnosis: mask holds 0/1 numbers (dtype float64) instead of booleans
import numpy as np


def causal_mask(Lq, Lk, offset=0):
    return np.tril(np.ones((Lq, Lk)), k=offset)
