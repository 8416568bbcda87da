# expect-verdict: wrong_answer
# expect-diagnosis: nesterov=True is ignored
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    new_velocity = momentum * velocity + g
    return param - lr * new_velocity, new_velocity
