import math

import numpy as np


def _ln(row, gamma, beta):
    mu = row.mean()
    var = ((row - mu) ** 2).mean()
    return gamma * (row - mu) / np.float32(math.sqrt(var + 1e-5)) + beta


def pre_ln_block(x, ln1_gamma, ln1_beta, W_q, W_k, W_v, W_o, ln2_gamma, ln2_beta, W1, b1, W2, b2, num_heads,
                 causal=False):
    f = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    x, g1, be1, Wq, Wk, Wv, Wo, g2, be2, W1, b1, W2, b2 = map(
        f, (x, ln1_gamma, ln1_beta, W_q, W_k, W_v, W_o, ln2_gamma, ln2_beta, W1, b1, W2, b2)
    )
    N, L, E = x.shape
    d = E // num_heads
    out = np.empty_like(x)
    for n in range(N):
        a = np.stack([_ln(x[n, i], g1, be1) for i in range(L)])
        q, k, v = a @ Wq.T, a @ Wk.T, a @ Wv.T
        concat = np.zeros((L, E), np.float32)
        for hd in range(num_heads):
            cols = slice(hd * d, (hd + 1) * d)
            for i in range(L):
                last = i + 1 if causal else L
                s = k[:last, cols] @ q[i, cols] / np.float32(math.sqrt(d))
                w = np.exp(s - s.max())
                concat[i, cols] = (w / w.sum()) @ v[:last, cols]
        h = x[n] + concat @ Wo.T
        for i in range(L):
            z = _ln(h[i], g2, be2) @ W1.T + b1
            g = 0.5 * z * (1 + np.tanh(np.float32(math.sqrt(2 / math.pi)) * (z + np.float32(0.044715) * z**3)))
            out[n, i] = h[i] + g @ W2.T + b2
    return out
