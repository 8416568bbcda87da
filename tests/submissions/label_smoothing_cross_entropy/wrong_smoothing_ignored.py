# expect-verdict: wrong_answer
# expect-diagnosis: smoothing is ignored
import numpy as np


def label_smoothing_cross_entropy(logits, labels, smoothing):
    n, c = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    onehot = np.eye(c)[labels]
    q = onehot
    loss = -(q * logp).sum() / n
    return loss, (np.exp(logp) - q) / n
