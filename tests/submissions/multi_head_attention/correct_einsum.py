import numpy as np


def multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    E = x_q.shape[-1]
    d = E // num_heads
    # Split the projection weights by head: rows h*d .. (h+1)*d - 1 of W_q produce head h's features.
    Wq = W_q.reshape(num_heads, d, E)
    Wk = W_k.reshape(num_heads, d, E)
    Wv = W_v.reshape(num_heads, d, E)
    q = np.einsum("nle,hde->nhld", x_q, Wq)
    k = np.einsum("nme,hde->nhmd", x_kv, Wk)
    v = np.einsum("nme,hde->nhmd", x_kv, Wv)
    s = np.einsum("nhld,nhmd->nhlm", q, k) / np.sqrt(d)
    if mask is not None:
        s = np.where(mask, s, -1e30)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    out = np.einsum("nhlm,nhmd->nhld", p, v)
    # concat @ W_o.T, with W_o's columns grouped by head.
    return np.einsum("nhld,ehd->nle", out, W_o.reshape(E, num_heads, d))
