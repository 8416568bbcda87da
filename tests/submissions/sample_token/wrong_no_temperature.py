# expect-verdict: wrong_answer
# expect-diagnosis: the temperature is ignored
import numpy as np


def sample_token(logits, u, temperature=1.0, top_k=0, top_p=1.0):
    z = logits.copy()
    if 0 < top_k < z.shape[-1]:
        z = np.where(z >= np.sort(z, axis=-1)[..., -top_k, None], z, -np.inf)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    if top_p < 1.0:
        above = (p[..., None, :] > p[..., :, None]) * p[..., None, :]
        p = np.where(above.sum(axis=-1) < top_p, p, 0.0)
        p = p / p.sum(axis=-1, keepdims=True)
    return np.argmax(u[:, None] < np.cumsum(p, axis=-1), axis=-1)
