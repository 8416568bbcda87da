# expect-verdict: wrong_answer
# expect-diagnosis: the kept tokens keep their probabilities from before filtering
import numpy as np


def sample_token(logits, u, temperature=1.0, top_k=0, top_p=1.0):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    keep = np.isfinite(z)
    if 0 < top_k < z.shape[-1]:
        keep &= z >= np.sort(z, axis=-1)[..., -top_k, None]
    if top_p < 1.0:
        q = np.where(keep, p, 0.0)
        q = q / q.sum(axis=-1, keepdims=True)
        above = (q[..., None, :] > q[..., :, None]) * q[..., None, :]
        keep &= above.sum(axis=-1) < top_p
    c = np.cumsum(np.where(keep, p, 0.0), axis=-1)
    below = u[:, None] < c
    last = z.shape[-1] - 1 - np.argmax(keep[:, ::-1], axis=-1)
    return np.where(below.any(axis=-1), np.argmax(below, axis=-1), last)
