import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    W = np.empty((fan_out, fan_in))
    for i in range(fan_out):
        for j in range(fan_in):
            W[i, j] = rng.uniform(-bound, bound)
    return W
