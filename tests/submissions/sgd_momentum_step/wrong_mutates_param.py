# expect-verdict: wrong_answer
# expect-diagnosis: sgd_momentum_step modified its input param, velocity in place
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    velocity *= momentum
    velocity += g
    update = g + momentum * velocity if nesterov else velocity
    param -= lr * update
    return param, velocity
