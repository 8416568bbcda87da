import math

import numpy as np


def _one(q, keys, values):
    # q (D,), keys (S, D), values (S, Dv), all float32
    scores = [float(np.dot(q, k)) / math.sqrt(q.shape[0]) for k in keys]
    m = max(scores)
    e = [math.exp(s - m) for s in scores]
    z = sum(e)
    out = np.zeros(values.shape[1], dtype=np.float32)
    for w, v in zip(e, values):
        out += np.float32(w / z) * v
    return out


def attend_with_cache(q_t, k_t, v_t, k_cache, v_cache):
    lead = q_t.shape[:-1]
    t = k_cache.shape[-2]
    K = np.empty(lead + (t + 1, k_t.shape[-1]), dtype=np.float32)
    V = np.empty(lead + (t + 1, v_t.shape[-1]), dtype=np.float32)
    K[..., :t, :], K[..., t, :] = k_cache, k_t
    V[..., :t, :], V[..., t, :] = v_cache, v_t
    out = np.empty(lead + (v_t.shape[-1],), dtype=np.float32)
    for idx in np.ndindex(*lead):
        out[idx] = _one(q_t[idx].astype(np.float32), K[idx], V[idx])
    return out, K, V
