# expect-verdict: wrong_answer
# expect-diagnosis: mask aligns the queries with the last keys
import numpy as np


def causal_mask(Lq, Lk, offset=0):
    # always align the queries with the last keys
    return np.tril(np.ones((Lq, Lk), dtype=bool), k=Lk - Lq)
