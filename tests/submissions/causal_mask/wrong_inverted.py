# expect-verdict: wrong_answer
# expect-diagnosis: mask is inverted
import numpy as np


def causal_mask(Lq, Lk, offset=0):
    # True where attention is blocked
    return np.triu(np.ones((Lq, Lk), dtype=bool), k=offset + 1)
