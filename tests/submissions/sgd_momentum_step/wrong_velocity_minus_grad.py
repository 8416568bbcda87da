# expect-verdict: wrong_answer
# expect-diagnosis: new_velocity subtracts the gradient
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    v = momentum * velocity - g
    update = -g + momentum * v if nesterov else v
    return param + lr * update, v
