# expect-verdict: wrong_answer
# expect-diagnosis: new_velocity includes lr (v = momentum * v + lr * g)
import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    # Sutskever-style buffer with lr folded in: v = m v + lr g; p = p - v
    g = grad + weight_decay * param
    v = momentum * velocity + lr * g
    update = lr * g + momentum * v if nesterov else v
    return param - update, v
