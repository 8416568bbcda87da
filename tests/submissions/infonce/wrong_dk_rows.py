# expect-verdict: wrong_answer
# expect-diagnosis: dk uses the softmax rows where it needs its columns
import numpy as np


def _log_softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    log_p = _log_softmax(q @ k.T / temperature)
    g = (np.exp(log_p) - np.eye(n)) / (n * temperature)
    return float(-np.mean(np.diag(log_p))), g @ k, g @ q
