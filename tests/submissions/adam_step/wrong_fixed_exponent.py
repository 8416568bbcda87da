# expect-verdict: wrong_answer
# expect-diagnosis: a fixed exponent of 1
import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    g = grad + weight_decay * param
    new_m = beta1 * m + (1 - beta1) * g
    new_v = beta2 * v + (1 - beta2) * g * g
    m_hat = new_m / (1 - beta1)  # the exponent t was forgotten
    v_hat = new_v / (1 - beta2)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), new_m, new_v
