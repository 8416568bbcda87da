# expect-verdict: runtime_error
# expect-diagnosis: labels are used wrongly
import numpy as np


def softmax_cross_entropy(logits, labels):
    # treats labels as if they were a one-hot row: broadcasting fails unless N == C, and is wrong when it works
    n = logits.shape[0]
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -np.mean(np.sum(labels * logp, axis=1))
    return float(loss), (np.exp(logp) - labels) / n
