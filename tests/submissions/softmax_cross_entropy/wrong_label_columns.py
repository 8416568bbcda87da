# expect-verdict: wrong_answer
# expect-diagnosis: labels are used wrongly
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -logp[:, labels].mean()
    d = np.exp(logp)
    d[:, labels] -= 1.0
    return float(loss), d / n
