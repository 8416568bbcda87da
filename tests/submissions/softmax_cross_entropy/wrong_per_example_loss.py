# expect-verdict: wrong_answer
# expect-diagnosis: loss is the vector of per-example losses
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    d = np.exp(logp)
    d[np.arange(n), labels] -= 1.0
    return -logp[np.arange(n), labels], d / n
