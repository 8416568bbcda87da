import numpy as np


def filter_logits(logits, top_k=0, top_p=1.0, temperature=1.0):
    z = logits.astype(np.float32) / np.float32(temperature)
    if top_k > 0:
        k = min(top_k, z.shape[-1])
        kth = -np.partition(-z, k - 1, axis=-1)[..., k - 1 : k]
        z = np.where(z < kth, np.float32(-np.inf), z)
    if top_p < 1.0:
        order = np.argsort(-z, axis=-1, kind="stable")
        zs = np.take_along_axis(z, order, axis=-1)
        e = np.exp(zs - zs[..., :1])
        ps = e / e.sum(axis=-1, keepdims=True)
        before = np.cumsum(ps, axis=-1) - ps
        keep_sorted = before < top_p
        keep_sorted[..., 0] = True
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=-1)
        z = np.where(keep, z, np.float32(-np.inf))
    return z
