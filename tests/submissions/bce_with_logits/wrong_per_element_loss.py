# expect-verdict: wrong_answer
# expect-diagnosis: loss is an array of per-element
import numpy as np


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_with_logits(logits, targets):
    z, t = logits, targets
    loss = np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))
    return loss, (_sigmoid(z) - t) / z.size
