# expect-verdict: wrong_answer
# expect-diagnosis: new_m is missing the factor (1 - beta1) on the gradient
# expect-diagnosis: new_v is missing the factor (1 - beta2) on g**2
import numpy as np


def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    p = param * (1 - lr * weight_decay)
    new_m = beta1 * m + grad
    new_v = beta2 * v + grad**2
    m_hat = new_m / (1 - beta1**t)
    v_hat = new_v / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
