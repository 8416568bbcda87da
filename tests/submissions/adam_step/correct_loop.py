import math

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    new_param = np.empty_like(param)
    new_m = np.empty_like(m)
    new_v = np.empty_like(v)
    for i in np.ndindex(param.shape):
        g = grad[i] + weight_decay * param[i]
        new_m[i] = beta1 * m[i] + (1 - beta1) * g
        new_v[i] = beta2 * v[i] + (1 - beta2) * g * g
        m_hat = new_m[i] / (1 - beta1**t)
        v_hat = new_v[i] / (1 - beta2**t)
        new_param[i] = param[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
    return new_param, new_m, new_v
