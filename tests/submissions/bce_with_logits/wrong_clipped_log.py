# expect-verdict: wrong_answer
# expect-diagnosis: loss is wrong on large |logits| though the gradient is right
import numpy as np


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_with_logits(logits, targets):
    z, t = logits, targets
    p = np.clip(_sigmoid(z), 1e-12, 1.0 - 1e-12)
    loss = -np.mean(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
    return loss, (_sigmoid(z) - t) / z.size
