# expect-verdict: wrong_answer
# expect-diagnosis: dropped tokens hold 0 instead of -inf
import numpy as np


def filter_logits(logits, top_k=0, top_p=1.0, temperature=1.0):
    z = logits / temperature
    keep = np.isfinite(z)
    if 0 < top_k < z.shape[-1]:
        kth = np.sort(z, axis=-1)[..., -top_k, None]
        keep &= z >= kth
    if top_p < 1.0:
        zk = np.where(keep, z, -np.inf)
        e = np.exp(zk - zk.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        above = (p[..., None, :] > p[..., :, None]) * p[..., None, :]
        keep &= above.sum(axis=-1) < top_p
    return np.where(keep, z, 0.0)
