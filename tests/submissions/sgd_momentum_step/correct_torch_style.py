import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    # as torch.optim.SGD writes it: d_p = grad (+ wd * p); buf.mul_(momentum).add_(d_p); d_p = d_p.add(buf, alpha=momentum)
    p = param.copy()
    d_p = grad.copy()
    if weight_decay != 0:
        d_p = d_p + weight_decay * p
    buf = velocity.copy()
    if momentum != 0:
        buf *= momentum
        buf += d_p
        d_p = d_p + momentum * buf if nesterov else buf
    else:
        buf = d_p.copy()
    p -= lr * d_p
    return p, buf
