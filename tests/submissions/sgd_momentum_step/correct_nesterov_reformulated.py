import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    # Nesterov written as the look-ahead correction (1 + m) * v_new - m * v_old, which equals g + m * v_new
    g = np.add(grad, weight_decay * param)
    v_new = momentum * velocity + g
    if nesterov:
        update = (1.0 + momentum) * v_new - momentum * velocity
    else:
        update = v_new
    return np.subtract(param, lr * update), v_new
