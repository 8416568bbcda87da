# expect-verdict: wrong_answer
# expect-diagnosis: the softmax backward keeps only the diagonal of its Jacobian
# expect-diagnosis: the mistake is in the backward pass
import numpy as np


def _weights(Q, K, mask):
    s = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        s = np.where(mask, s, -np.inf)
    s = s - s.max(axis=-1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=-1, keepdims=True)


def attention_forward(Q, K, V, mask=None):
    return _weights(Q, K, mask) @ V


def attention_backward(dout, Q, K, V, mask=None):
    P = _weights(Q, K, mask)
    dV = np.swapaxes(P, -1, -2) @ dout
    dP = dout @ np.swapaxes(V, -1, -2)
    dS = P * dP / np.sqrt(Q.shape[-1])
    return dS @ K, np.swapaxes(dS, -1, -2) @ Q, dV
