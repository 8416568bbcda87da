import numpy as np


def _weights(Q, K, mask):
    q, k = Q.astype(np.float32), K.astype(np.float32)
    s = np.einsum("...qd,...kd->...qk", q, k) / np.float32(np.sqrt(Q.shape[-1]))
    if mask is not None:
        s = np.where(mask, s, np.float32(-1e9))  # a large negative fill instead of -inf
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def attention_forward(Q, K, V, mask=None):
    return np.einsum("...qk,...kv->...qv", _weights(Q, K, mask), V.astype(np.float32))


def attention_backward(dout, Q, K, V, mask=None):
    P = _weights(Q, K, mask)
    g = dout.astype(np.float32)
    dV = np.einsum("...qk,...qv->...kv", P, g)
    dP = np.einsum("...qv,...kv->...qk", g, V.astype(np.float32))
    dS = P * (dP - np.einsum("...qk,...qk->...q", P, dP)[..., None])
    dS = dS / np.float32(np.sqrt(Q.shape[-1]))
    dQ = np.einsum("...qk,...kd->...qd", dS, K.astype(np.float32))
    dK = np.einsum("...qk,...qd->...kd", dS, Q.astype(np.float32))
    return dQ, dK, dV
