# expect-verdict: wrong_answer
# expect-diagnosis: loss is averaged over all N*C entries
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    onehot = np.eye(c)[labels]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -np.mean(onehot * logp)
    return float(loss), (np.exp(logp) - onehot) / n
