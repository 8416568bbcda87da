import numpy as np


def infonce_loss(q, k, temperature):
    n = q.shape[0]
    logits = q @ k.T / temperature
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    g = (np.exp(log_p) - np.eye(n)) / (n * temperature)
    return float(-np.trace(log_p) / n), g @ k, g.T @ q
