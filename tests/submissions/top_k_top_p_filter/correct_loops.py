import math

import numpy as np


def _row(row, top_k, top_p, temperature):
    z = [float(v) / temperature for v in row]
    if 0 < top_k < len(z):
        kth = sorted(z, reverse=True)[top_k - 1]
        z = [v if v >= kth else -math.inf for v in z]
    if top_p < 1.0:
        m = max(z)
        e = [math.exp(v - m) for v in z]
        total = sum(e)
        p = [x / total for x in e]
        z = [v if sum(q for q in p if q > pi) < top_p else -math.inf for v, pi in zip(z, p)]
    return z


def filter_logits(logits, top_k=0, top_p=1.0, temperature=1.0):
    rows = logits.reshape(-1, logits.shape[-1])
    out = np.array([_row(r, top_k, top_p, temperature) for r in rows])
    return out.reshape(logits.shape)
