# expect-verdict: wrong_answer
# expect-diagnosis: weight decay is applied to the parameter after the momentum step
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    new_velocity = momentum * velocity + grad
    update = grad + momentum * new_velocity if nesterov else new_velocity
    new_param = param - lr * update
    new_param = new_param - lr * weight_decay * param
    return new_param, new_velocity
