# expect-verdict: wrong_answer
# expect-diagnosis: loss is summed over the batch
# expect-diagnosis: your gradient is right but your loss value is wrong
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(n), labels].sum()
    d = np.exp(logp)
    d[np.arange(n), labels] -= 1.0
    return float(loss), d / n
