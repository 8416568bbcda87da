# expect-verdict: wrong_answer
# expect-diagnosis: new_param is NaN or inf at t = 1
# expect-diagnosis: the bias correction uses t - 1
import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    g = grad + weight_decay * param
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * g**2
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = new_m / (1 - beta1 ** (t - 1))
        v_hat = new_v / (1 - beta2 ** (t - 1))
        return param - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
