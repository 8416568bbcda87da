# expect-verdict: wrong_answer
# expect-diagnosis: has NaN or inf on large |logits|
import numpy as np


def focal_loss(logits, targets, alpha=0.25, gamma=2.0):
    with np.errstate(all="ignore"):
        p = 1.0 / (1.0 + np.exp(-logits))
        p_t = np.where(targets == 1, p, 1 - p)
        alpha_t = np.where(targets == 1, alpha, 1 - alpha)
        s = 2 * targets - 1
        fl = -alpha_t * (1 - p_t) ** gamma * np.log(p_t)
        grad = s * alpha_t * (1 - p_t) ** gamma * (gamma * p_t * np.log(p_t) - (1 - p_t))
    return float(fl.mean()), grad / logits.size
