# expect-verdict: wrong_answer
# expect-diagnosis: split or merged with a plain reshape
import numpy as np


def multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    N, Lq, E = x_q.shape
    Lk = x_kv.shape[1]
    d = E // num_heads
    q = (x_q @ W_q.T).reshape(N, num_heads, Lq, d)
    k = (x_kv @ W_k.T).reshape(N, num_heads, Lk, d)
    v = (x_kv @ W_v.T).reshape(N, num_heads, Lk, d)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    heads = (weights @ v).reshape(N, Lq, E)
    return heads @ W_o.T
