# expect-verdict: wrong_answer
# expect-diagnosis: new_k_cache is the old cache
# expect-diagnosis: new_v_cache is the old cache
import numpy as np


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    K = np.concatenate([k_cache, k_t[..., None, :]], axis=-2)
    V = np.concatenate([v_cache, v_t[..., None, :]], axis=-2)
    s = np.einsum("...d,...td->...t", q_t, K) / np.sqrt(q_t.shape[-1])
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("...t,...tv->...v", w, V), k_cache, v_cache
