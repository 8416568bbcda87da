# expect-verdict: wrong_answer
# expect-diagnosis: dlogits has the wrong sign
import numpy as np


def softmax_cross_entropy(logits, labels):
    n, c = logits.shape
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), labels].mean()
    return float(loss), (np.eye(c)[labels] - np.exp(logp)) / n
