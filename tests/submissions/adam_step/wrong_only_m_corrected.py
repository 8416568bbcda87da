# expect-verdict: wrong_answer
# expect-diagnosis: only m is bias-corrected
import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    g = grad + weight_decay * param
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * g**2
    m_hat = new_m / (1 - beta1**t)
    return param - lr * m_hat / (np.sqrt(new_v) + eps), new_m, new_v
