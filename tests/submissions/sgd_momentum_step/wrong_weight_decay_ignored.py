# expect-verdict: wrong_answer
# expect-diagnosis: weight_decay is ignored
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    new_velocity = momentum * velocity + grad
    update = grad + momentum * new_velocity if nesterov else new_velocity
    return param - lr * update, new_velocity
