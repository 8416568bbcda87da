# expect-verdict: wrong_answer
# expect-diagnosis: loss is the vector of per-example losses
import numpy as np


def label_smoothing_cross_entropy(logits, labels, smoothing):
    n, c = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    onehot = np.eye(c)[labels]
    q = (1.0 - smoothing) * onehot + smoothing / c
    loss = -(q * logp).sum(axis=1)
    return loss, (np.exp(logp) - q) / n
