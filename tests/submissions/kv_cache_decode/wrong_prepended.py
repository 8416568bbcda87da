# expect-verdict: wrong_answer
# expect-diagnosis: new_k_cache puts k_t first
# expect-diagnosis: new_v_cache puts v_t first
import numpy as np


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    K = np.concatenate([k_t[..., None, :], k_cache], axis=-2)
    V = np.concatenate([v_t[..., None, :], v_cache], axis=-2)
    s = np.einsum("...d,...td->...t", q_t, K) / np.sqrt(q_t.shape[-1])
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("...t,...tv->...v", w, V), K, V
