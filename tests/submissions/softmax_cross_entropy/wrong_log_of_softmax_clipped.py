# expect-verdict: wrong_answer
# expect-diagnosis: loss takes the log of softmax probabilities
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(np.clip(p[np.arange(n), labels], 1e-12, None)).mean()
    d = p.copy()
    d[np.arange(n), labels] -= 1.0
    return float(loss), d / n
