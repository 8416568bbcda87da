import math

import numpy as np


def adamw_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    # torch.optim.AdamW's order: p.mul_(1 - lr * wd), then the Adam update with the raw gradient
    p = param.astype(np.float32)
    p = p - np.float32(lr * weight_decay) * p
    g = grad.astype(np.float32)
    exp_avg = np.float32(beta1) * m.astype(np.float32) + np.float32(1 - beta1) * g
    exp_avg_sq = np.float32(beta2) * v.astype(np.float32) + np.float32(1 - beta2) * g * g
    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    denom = np.sqrt(exp_avg_sq) / np.float32(math.sqrt(bias_correction2)) + np.float32(eps)
    p = p - np.float32(lr / bias_correction1) * exp_avg / denom
    return p, exp_avg, exp_avg_sq
