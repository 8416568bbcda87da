# expect-verdict: wrong_answer
# expect-diagnosis: loss averages both directions
import numpy as np


def _log_softmax(x):
    x = x - x.max(axis=1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    logits = q @ k.T / temperature
    lq, lk = _log_softmax(logits), _log_softmax(logits.T)
    loss = -0.5 * (np.mean(np.diag(lq)) + np.mean(np.diag(lk)))
    gq = (np.exp(lq) - np.eye(n)) / (n * temperature)
    return float(loss), gq @ k, gq.T @ q
