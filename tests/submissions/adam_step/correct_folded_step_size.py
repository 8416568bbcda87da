import math

import numpy as np


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
    # PyTorch's own arrangement: step_size = lr / bc1, denom = sqrt(v) / sqrt(bc2) + eps, in float32
    g = (grad + weight_decay * param).astype(np.float32)
    new_m = m.astype(np.float32) * beta1 + g * (1 - beta1)
    new_v = v.astype(np.float32) * beta2 + g * g * (1 - beta2)
    bc1 = 1 - beta1**t
    bc2 = 1 - beta2**t
    denom = np.sqrt(new_v) / math.sqrt(bc2) + eps
    step_size = lr / bc1
    new_param = param.astype(np.float32) - np.float32(step_size) * new_m / denom
    return new_param, new_m, new_v
