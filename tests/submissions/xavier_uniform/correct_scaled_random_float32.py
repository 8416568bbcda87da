import math

import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    # U(0, 1) mapped to U(-a, a), returned as float32
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    a = math.sqrt(3.0) * std
    u = rng.random((fan_out, fan_in))
    return ((2.0 * u - 1.0) * a).astype(np.float32)
