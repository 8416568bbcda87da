# expect-verdict: wrong_answer
# expect-diagnosis: new_velocity is lr-scaled
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    # the "v = m v - lr g; p = p + v" convention, which stores a different velocity from PyTorch's buffer
    g = grad + weight_decay * param
    v = momentum * velocity - lr * g
    if nesterov:
        return param + momentum * v - lr * g, v
    return param + v, v
