# expect-verdict: wrong_answer
# expect-diagnosis: overflows to NaN or inf on large logits
import numpy as np


def label_smoothing_cross_entropy(logits, labels, smoothing):
    n, c = logits.shape
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    logp = np.log(p)
    onehot = np.eye(c)[labels]
    q = (1.0 - smoothing) * onehot + smoothing / c
    loss = -(q * logp).sum() / n
    return loss, (np.exp(logp) - q) / n
