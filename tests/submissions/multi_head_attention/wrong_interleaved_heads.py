# expect-verdict: wrong_answer
# expect-diagnosis: the heads are interleaved
import numpy as np


def multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    N, Lq, E = x_q.shape
    Lk = x_kv.shape[1]
    d = E // num_heads
    q = (x_q @ W_q.T).reshape(N, Lq, d, num_heads).transpose(0, 3, 1, 2)
    k = (x_kv @ W_k.T).reshape(N, Lk, d, num_heads).transpose(0, 3, 1, 2)
    v = (x_kv @ W_v.T).reshape(N, Lk, d, num_heads).transpose(0, 3, 1, 2)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    heads = (weights @ v).transpose(0, 2, 3, 1).reshape(N, Lq, E)
    return heads @ W_o.T
