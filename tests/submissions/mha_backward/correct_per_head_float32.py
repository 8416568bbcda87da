import numpy as np


def _head_attention(q, k, v, mask):
    # q (Lq, d), k (Lk, d), v (Lk, d), mask (Lq, Lk) bool
    s = q @ k.T / np.float32(np.sqrt(q.shape[1]))
    s = np.where(mask, s, np.float32(-1e30))
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    return p / p.sum(axis=1, keepdims=True)


def _prep(x_q, x_kv, W_q, W_k, W_v, num_heads, mask):
    x_q, x_kv, W_q, W_k, W_v = (a.astype(np.float32) for a in (x_q, x_kv, W_q, W_k, W_v))
    N, Lq, E = x_q.shape
    Lk = x_kv.shape[1]
    full = np.ones((N, num_heads, Lq, Lk), bool) if mask is None else np.broadcast_to(mask, (N, num_heads, Lq, Lk))
    return x_q, x_kv, x_q @ W_q.T, x_kv @ W_k.T, x_kv @ W_v.T, full, E // num_heads


def multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    _, _, Q, K, V, full, d = _prep(x_q, x_kv, W_q, W_k, W_v, num_heads, mask)
    concat = np.zeros(Q.shape, np.float32)
    for n in range(Q.shape[0]):
        for h in range(num_heads):
            f = slice(h * d, (h + 1) * d)
            concat[n, :, f] = _head_attention(Q[n, :, f], K[n, :, f], V[n, :, f], full[n, h]) @ V[n, :, f]
    return concat @ W_o.astype(np.float32).T


def multi_head_attention_backward(dout, x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    xq, xkv, Q, K, V, full, d = _prep(x_q, x_kv, W_q, W_k, W_v, num_heads, mask)
    W_o32 = W_o.astype(np.float32)
    dout = dout.astype(np.float32)
    concat = np.zeros(Q.shape, np.float32)
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    dconcat = dout @ W_o32
    for n in range(Q.shape[0]):
        for h in range(num_heads):
            f = slice(h * d, (h + 1) * d)
            P = _head_attention(Q[n, :, f], K[n, :, f], V[n, :, f], full[n, h])
            concat[n, :, f] = P @ V[n, :, f]
            g = dconcat[n, :, f]
            dV[n, :, f] = P.T @ g
            dP = g @ V[n, :, f].T
            dS = P * (dP - (P * dP).sum(axis=1, keepdims=True)) / np.float32(np.sqrt(d))
            dQ[n, :, f] = dS @ K[n, :, f]
            dK[n, :, f] = dS.T @ Q[n, :, f]
    flat = lambda a: a.reshape(-1, a.shape[-1])  # noqa: E731
    dW_o = flat(dout).T @ flat(concat)
    return (
        dQ @ W_q.astype(np.float32),
        dK @ W_k.astype(np.float32) + dV @ W_v.astype(np.float32),
        flat(dQ).T @ flat(xq),
        flat(dK).T @ flat(xkv),
        flat(dV).T @ flat(xkv),
        dW_o,
    )
