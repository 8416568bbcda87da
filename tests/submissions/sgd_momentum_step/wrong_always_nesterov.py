# expect-verdict: wrong_answer
# expect-diagnosis: the Nesterov update is applied although nesterov=False
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    new_velocity = momentum * velocity + g
    return param - lr * (g + momentum * new_velocity), new_velocity
