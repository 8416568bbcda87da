# expect-verdict: wrong_answer
# expect-diagnosis: the modulating factor is p_t**gamma
import numpy as np


def _log_sigmoid(u):
    return -(np.maximum(-u, 0.0) + np.log1p(np.exp(-np.abs(u))))


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    s = 2.0 * targets - 1.0
    u = s * logits
    log_pt = _log_sigmoid(u)
    pt = np.exp(log_pt)
    q = np.exp(_log_sigmoid(-u))
    alpha_t = np.where(targets == 1, alpha, 1.0 - alpha)
    fl = -alpha_t * pt**gamma * log_pt
    grad = -s * alpha_t * pt**gamma * (gamma * q * log_pt + q)
    return float(fl.mean()), grad / logits.size
