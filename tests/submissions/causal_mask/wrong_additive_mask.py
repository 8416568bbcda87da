# expect-verdict: wrong_answer
# expect-diagnosis: mask is an additive float mask
import numpy as np


def causal_mask(Lq, Lk, offset=0):
    allowed = np.tril(np.ones((Lq, Lk), dtype=bool), k=offset)
    return np.where(allowed, 0.0, -np.inf)
