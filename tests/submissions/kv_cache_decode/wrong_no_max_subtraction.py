# expect-verdict: wrong_answer
# expect-diagnosis: out overflows to NaN or inf on large inputs
import numpy as np


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    K = np.concatenate([k_cache, k_t[..., None, :]], axis=-2)
    V = np.concatenate([v_cache, v_t[..., None, :]], axis=-2)
    w = np.exp(np.einsum("...d,...td->...t", q_t, K) / np.sqrt(q_t.shape[-1]))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("...t,...tv->...v", w, V), K, V
