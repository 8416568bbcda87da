import numpy as np


def _filter(logits, top_k, top_p, temperature):
    z = logits / temperature
    if 0 < top_k < z.shape[-1]:
        kth = np.sort(z, axis=-1)[..., -top_k, None]
        z = np.where(z >= kth, z, -np.inf)
    if top_p < 1.0:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        p = e / e.sum(axis=-1, keepdims=True)
        above = (p[..., None, :] > p[..., :, None]) * p[..., None, :]
        z = np.where(above.sum(axis=-1) < top_p, z, -np.inf)
    return z


def sample_token(logits, u, temperature=1.0, top_k=0, top_p=1.0):
    z = _filter(logits, top_k, top_p, temperature)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    c = np.cumsum(e / e.sum(axis=-1, keepdims=True), axis=-1)
    return np.argmax(u[:, None] < c, axis=-1)
