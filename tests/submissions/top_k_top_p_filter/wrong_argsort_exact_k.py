# expect-verdict: wrong_answer
# expect-diagnosis: top-k keeps exactly k tokens when several tie with the k-th largest
import numpy as np


def filter_logits(logits, top_k=0, top_p=1.0, temperature=1.0):
    z = logits / temperature
    if 0 < top_k < z.shape[-1]:
        idx = np.argsort(-z, axis=-1, kind="stable")[..., :top_k]
        keep = np.zeros(z.shape, dtype=bool)
        np.put_along_axis(keep, idx, True, axis=-1)
        z = np.where(keep, z, -np.inf)
    if top_p < 1.0:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        above = (p[..., None, :] > p[..., :, None]) * p[..., None, :]
        z = np.where(above.sum(axis=-1) < top_p, z, -np.inf)
    return z
