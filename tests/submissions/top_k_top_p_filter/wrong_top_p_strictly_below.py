# expect-verdict: wrong_answer
# expect-diagnosis: top-p keeps only the tokens whose cumulative probability stays within top_p
import numpy as np


def filter_logits(logits, top_k=0, top_p=1.0, temperature=1.0):
    z = logits / temperature
    if 0 < top_k < z.shape[-1]:
        kth = np.sort(z, axis=-1)[..., -top_k, None]
        z = np.where(z >= kth, z, -np.inf)
    if top_p < 1.0:
        order = np.argsort(-z, axis=-1)
        zs = np.take_along_axis(z, order, axis=-1)
        e = np.exp(zs - zs[..., :1])
        ps = e / e.sum(axis=-1, keepdims=True)
        keep_sorted = np.cumsum(ps, axis=-1) <= top_p  # drops the token that crosses top_p
        keep_sorted[..., 0] = True
        keep = np.zeros_like(keep_sorted)
        np.put_along_axis(keep, order, keep_sorted, axis=-1)
        z = np.where(keep, z, -np.inf)
    return z
