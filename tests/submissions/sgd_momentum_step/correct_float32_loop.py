import numpy as np


def sgd_momentum_step(param, grad, velocity, lr, momentum, weight_decay=0.0, nesterov=False):
    new_param = np.empty(param.shape, dtype=np.float32)
    new_velocity = np.empty(param.shape, dtype=np.float32)
    for idx in np.ndindex(param.shape):
        g = np.float32(grad[idx]) + np.float32(weight_decay) * np.float32(param[idx])
        buf = np.float32(momentum) * np.float32(velocity[idx]) + g
        step = g + np.float32(momentum) * buf if nesterov else buf
        new_velocity[idx] = buf
        new_param[idx] = np.float32(param[idx]) - np.float32(lr) * step
    return new_param, new_velocity
