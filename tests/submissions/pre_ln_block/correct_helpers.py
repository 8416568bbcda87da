import numpy as np


def layer_norm(v, gamma, beta, eps=1e-5):
    mean = v.mean(axis=-1, keepdims=True)
    var = v.var(axis=-1, keepdims=True)
    return gamma * (v - mean) / np.sqrt(var + eps) + beta


def self_attention(a, W_q, W_k, W_v, W_o, num_heads, causal):
    N, L, E = a.shape
    d = E // num_heads

    def heads(t):
        return t.reshape(N, L, num_heads, d).transpose(0, 2, 1, 3)

    q, k, v = heads(a @ W_q.T), heads(a @ W_k.T), heads(a @ W_v.T)
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    if causal:
        s = np.where(np.triu(np.ones((L, L), dtype=bool), k=1), -np.inf, s)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    p = p / p.sum(axis=-1, keepdims=True)
    return (p @ v).transpose(0, 2, 1, 3).reshape(N, L, E) @ W_o.T


def gelu(z):
    return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))


def pre_ln_block(x, ln1_gamma, ln1_beta, W_q, W_k, W_v, W_o, ln2_gamma, ln2_beta, W1, b1, W2, b2, num_heads,
                 causal=False):
    h = x + self_attention(layer_norm(x, ln1_gamma, ln1_beta), W_q, W_k, W_v, W_o, num_heads, causal)
    return h + gelu(layer_norm(h, ln2_gamma, ln2_beta) @ W1.T + b1) @ W2.T + b2
