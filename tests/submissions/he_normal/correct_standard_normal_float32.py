import math

import numpy as np


def he_normal(fan_in, fan_out, rng):
    gain = math.sqrt(2.0)  # ReLU gain
    std = gain / math.sqrt(fan_in)
    return (rng.standard_normal((fan_out, fan_in)) * std).astype(np.float32)
