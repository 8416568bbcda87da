import math

import numpy as np


def _row_softmax(scores, allowed):
    m = max(s for s, a in zip(scores, allowed) if a)
    e = [math.exp(s - m) if a else 0.0 for s, a in zip(scores, allowed)]
    z = sum(e)
    return [v / z for v in e]


def _one(Q, K, V, mask):
    # Q (Lq, d), K (Lk, d), V (Lk, dv), mask (Lq, Lk) bool
    d = Q.shape[1]
    P = np.zeros((Q.shape[0], K.shape[0]))
    for i in range(Q.shape[0]):
        scores = [float(Q[i] @ K[j]) / math.sqrt(d) for j in range(K.shape[0])]
        P[i] = _row_softmax(scores, mask[i])
    return P


def _split(Q, K, V, mask, *others):
    lead = Q.shape[:-2]
    full = np.broadcast_to(np.ones((), bool) if mask is None else mask, lead + (Q.shape[-2], K.shape[-2]))
    for idx in np.ndindex(*lead):
        yield idx, Q[idx], K[idx], V[idx], full[idx], [o[idx] for o in others]


def attention_forward(Q, K, V, mask=None):
    out = np.zeros(Q.shape[:-1] + (V.shape[-1],))
    for idx, q, k, v, m, _ in _split(Q, K, V, mask):
        out[idx] = _one(q, k, v, m) @ v
    return out


def attention_backward(dout, Q, K, V, mask=None):
    dQ, dK, dV = np.zeros(Q.shape), np.zeros(K.shape), np.zeros(V.shape)
    for idx, q, k, v, m, (g,) in _split(Q, K, V, mask, dout):
        P = _one(q, k, v, m)
        dV[idx] = P.T @ g
        dP = g @ v.T
        dS = np.zeros_like(P)
        for i in range(P.shape[0]):
            jac = np.diag(P[i]) - np.outer(P[i], P[i])  # softmax Jacobian of row i
            dS[i] = jac @ dP[i]
        dS /= math.sqrt(q.shape[1])
        dQ[idx] = dS @ k
        dK[idx] = dS.T @ q
    return dQ, dK, dV
