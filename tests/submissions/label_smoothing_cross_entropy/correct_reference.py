import numpy as np


def label_smoothing_cross_entropy(logits, labels, smoothing):
    n, c = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    q = np.full((n, c), smoothing / c)
    q[np.arange(n), labels] += 1.0 - smoothing
    loss = -(q * logp).sum() / n
    return float(loss), (np.exp(logp) - q) / n
