# expect-verdict: wrong_answer
# expect-diagnosis: out attends to the old cache only
import numpy as np


def _attend(q, K, V):
    s = np.einsum("...d,...td->...t", q, K) / np.sqrt(q.shape[-1])
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("...t,...tv->...v", w, V)


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    if k_cache.shape[-2] == 0:
        out = v_t.copy()  # the first token: special-cased, since the cache is still empty
    else:
        out = _attend(q_t, k_cache, v_cache)  # attends before the new token is in the cache
    K = np.concatenate([k_cache, k_t[..., None, :]], axis=-2)
    V = np.concatenate([v_cache, v_t[..., None, :]], axis=-2)
    return out, K, V
