# expect-verdict: wrong_answer
# expect-diagnosis: dlogits treats (1 - p_t)**gamma as a constant
# expect-diagnosis: your loss value is right but your gradient does not match its numerical gradient
import numpy as np


def _log_sigmoid(u):
    return -(np.maximum(-u, 0.0) + np.log1p(np.exp(-np.abs(u))))


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    s = 2.0 * targets - 1.0
    u = s * logits
    log_pt = _log_sigmoid(u)
    q = np.exp(_log_sigmoid(-u))
    alpha_t = np.where(targets == 1, alpha, 1.0 - alpha)
    weight = q**gamma
    fl = -alpha_t * weight * log_pt
    p = 1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))
    grad = alpha_t * weight * (p - targets)  # the BCE gradient, scaled by the focal weight
    return float(fl.mean()), grad / logits.size
