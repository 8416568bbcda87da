import numpy as np


def multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    x_q, x_kv = x_q.astype(np.float32), x_kv.astype(np.float32)
    N, Lq, E = x_q.shape
    Lk = x_kv.shape[1]
    d = E // num_heads
    Q, K, V = x_q @ W_q.T.astype(np.float32), x_kv @ W_k.T.astype(np.float32), x_kv @ W_v.T.astype(np.float32)
    full_mask = None if mask is None else np.broadcast_to(mask, (N, num_heads, Lq, Lk))
    concat = np.zeros((N, Lq, E), dtype=np.float32)
    for n in range(N):
        for h in range(num_heads):
            cols = slice(h * d, (h + 1) * d)
            for i in range(Lq):
                s = np.array([Q[n, i, cols] @ K[n, j, cols] for j in range(Lk)], dtype=np.float32) / np.sqrt(d)
                if full_mask is not None:
                    s = np.where(full_mask[n, h, i], s, -np.inf)
                w = np.exp(s - s.max())
                w = w / w.sum()
                concat[n, i, cols] = w @ V[n, :, cols]
    return concat @ W_o.T.astype(np.float32)
