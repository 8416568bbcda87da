# expect-verdict: wrong_answer
# expect-diagnosis: loss has the wrong sign
# expect-diagnosis: dlogits has the wrong sign
import numpy as np


def _log_sigmoid(u):
    return -(np.maximum(-u, 0.0) + np.log1p(np.exp(-np.abs(u))))


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    s = 2.0 * targets - 1.0
    u = s * logits
    log_pt = _log_sigmoid(u)
    pt, q = np.exp(log_pt), np.exp(_log_sigmoid(-u))
    alpha_t = np.where(targets == 1, alpha, 1.0 - alpha)
    fl = alpha_t * q**gamma * log_pt  # the log-likelihood, not its negative
    return float(fl.mean()), -s * alpha_t * q**gamma * (gamma * pt * log_pt - q) / logits.size
