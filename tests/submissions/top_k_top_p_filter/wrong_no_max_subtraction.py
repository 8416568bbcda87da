# expect-verdict: wrong_answer
# expect-diagnosis: rows of large logits (around 1000) come back with NaN, inf or no token kept
import numpy as np


def filter_logits(logits, top_k=0, top_p=1.0, temperature=1.0):
    z = logits / temperature
    if 0 < top_k < z.shape[-1]:
        kth = np.sort(z, axis=-1)[..., -top_k, None]
        z = np.where(z >= kth, z, -np.inf)
    if top_p < 1.0:
        e = np.exp(z)
        p = e / e.sum(axis=-1, keepdims=True)
        above = (p[..., None, :] > p[..., :, None]) * p[..., None, :]
        z = np.where(above.sum(axis=-1) < top_p, z, -np.inf)
    return z
