import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    new_velocity = momentum * velocity + g
    update = g + momentum * new_velocity if nesterov else new_velocity
    return param - lr * update, new_velocity
