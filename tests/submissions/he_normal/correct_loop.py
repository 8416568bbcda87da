import numpy as np


def he_normal(fan_in, fan_out, rng):
    var = 2.0 / fan_in
    W = np.zeros((fan_out, fan_in))
    for i in range(fan_out):
        for j in range(fan_in):
            W[i, j] = rng.normal() * var**0.5
    return W
