# expect-verdict: wrong_answer
# expect-diagnosis: loss overflows to NaN or inf on large |logits|
import numpy as np


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_with_logits(logits, targets):
    z, t = logits, targets
    p = 1.0 / (1.0 + np.exp(-z))
    loss = -np.mean(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
    return loss, (_sigmoid(z) - t) / z.size
