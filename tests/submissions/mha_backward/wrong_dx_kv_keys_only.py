# expect-verdict: wrong_answer
# expect-diagnosis: dx_kv only has the path through the keys
import numpy as np


def _split(a, heads):
    n, length, e = a.shape
    return a.reshape(n, length, heads, e // heads).transpose(0, 2, 1, 3)


def _merge(a):
    n, heads, length, d = a.shape
    return a.transpose(0, 2, 1, 3).reshape(n, length, heads * d)


def _weights(q, k, mask):
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    q, k, v = _split(x_q @ W_q.T, num_heads), _split(x_kv @ W_k.T, num_heads), _split(x_kv @ W_v.T, num_heads)
    return _merge(_weights(q, k, mask) @ v) @ W_o.T


def multi_head_attention_backward(dout, x_q, x_kv, W_q, W_k, W_v, W_o, num_heads, mask=None):
    q, k, v = _split(x_q @ W_q.T, num_heads), _split(x_kv @ W_k.T, num_heads), _split(x_kv @ W_v.T, num_heads)
    P = _weights(q, k, mask)
    concat = _merge(P @ v)
    dW_o = np.einsum("nle,nlf->ef", dout, concat)
    dctx = _split(dout @ W_o, num_heads)
    dv = P.transpose(0, 1, 3, 2) @ dctx
    dP = dctx @ v.transpose(0, 1, 3, 2)
    dS = P * (dP - (P * dP).sum(axis=-1, keepdims=True)) / np.sqrt(q.shape[-1])
    dq, dk = dS @ k, dS.transpose(0, 1, 3, 2) @ q
    dq, dk, dv = _merge(dq), _merge(dk), _merge(dv)
    dx_kv = dk @ W_k
    dW_q = np.einsum("nle,nlf->ef", dq, x_q)
    dW_k = np.einsum("nle,nlf->ef", dk, x_kv)
    dW_v = np.einsum("nle,nlf->ef", dv, x_kv)
    return dq @ W_q, dx_kv, dW_q, dW_k, dW_v, dW_o
