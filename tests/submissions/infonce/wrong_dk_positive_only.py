# expect-verdict: wrong_answer
# expect-diagnosis: dk is missing the column terms
import numpy as np


def _log_softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    log_p = _log_softmax(q @ k.T / temperature)
    g = (np.exp(log_p) - np.eye(n)) / (n * temperature)
    return float(-np.mean(np.diag(log_p))), g @ k, -q / (n * temperature)  # only the positive pair's term
