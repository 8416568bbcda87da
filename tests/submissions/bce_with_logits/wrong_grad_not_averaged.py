# expect-verdict: wrong_answer
# expect-diagnosis: dlogits is missing the 1/size factor
# expect-diagnosis: your loss value is right but your gradient does not match its numerical gradient
import numpy as np


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_with_logits(logits, targets):
    z, t = logits, targets
    loss = np.mean(np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z))))
    return loss, _sigmoid(z) - t
