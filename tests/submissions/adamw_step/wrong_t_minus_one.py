# expect-verdict: wrong_answer
# expect-diagnosis: new_param is NaN or inf at t = 1
# expect-diagnosis: the bias correction uses t - 1
import numpy as np


def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    p = param * (1 - lr * weight_decay)
    new_m = beta1 * m + (1 - beta1) * grad
    new_v = beta2 * v + (1 - beta2) * grad**2
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = new_m / (1 - beta1 ** (t - 1))
        v_hat = new_v / (1 - beta2 ** (t - 1))
        return p - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
