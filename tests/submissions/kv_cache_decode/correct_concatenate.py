import numpy as np


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    K = np.concatenate([k_cache, k_t[..., None, :]], axis=-2)
    V = np.concatenate([v_cache, v_t[..., None, :]], axis=-2)
    scores = (K @ q_t[..., None])[..., 0] / np.sqrt(q_t.shape[-1])
    scores = scores - scores.max(axis=-1, keepdims=True)
    w = np.exp(scores)
    w = w / w.sum(axis=-1, keepdims=True)
    out = (w[..., None, :] @ V)[..., 0, :]
    return out, K, V
