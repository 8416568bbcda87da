# expect-verdict: wrong_answer
# expect-diagnosis: overflows to NaN or inf on large logits
import numpy as np


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), labels]).mean()
    d = p.copy()
    d[np.arange(n), labels] -= 1.0
    return float(loss), d / n
