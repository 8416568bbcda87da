# expect-verdict: wrong_answer
# expect-diagnosis: out counts the new token twice
# expect-diagnosis: new_k_cache has k_t appended twice
# expect-diagnosis: new_v_cache has v_t appended twice
import numpy as np


def _grow(cache, row):
    return np.concatenate([cache, row[..., None, :]], axis=-2)


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    K, V = _grow(k_cache, k_t), _grow(v_cache, v_t)
    # ... and again, as a caller that already appended would do
    K, V = _grow(K, k_t), _grow(V, v_t)
    s = np.einsum("...d,...td->...t", q_t, K) / np.sqrt(q_t.shape[-1])
    w = np.exp(s - s.max(axis=-1, keepdims=True))
    w /= w.sum(axis=-1, keepdims=True)
    return np.einsum("...t,...tv->...v", w, V), K, V
