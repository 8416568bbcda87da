# expect-verdict: wrong_answer
# expect-diagnosis: loss ignores the temperature
import numpy as np


def _log_softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    log_p = _log_softmax(q @ k.T)
    g = (np.exp(log_p) - np.eye(n)) / n
    return float(-np.mean(np.diag(log_p))), g @ k, g.T @ q
