# expect-verdict: wrong_answer
# expect-diagnosis: dk uses only the diagonal of the softmax
import numpy as np


def _log_softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    p = np.exp(_log_softmax(q @ k.T / temperature))
    g = (p - np.eye(n)) / (n * temperature)
    dk = ((np.diag(p) - 1.0)[:, None] * q) / (n * temperature)
    return float(-np.mean(np.log(np.diag(p)))), g @ k, dk
