# expect-verdict: wrong_answer
# expect-diagnosis: the std used as the variance
import numpy as np


def he_normal(fan_in, fan_out, rng):
    std = np.sqrt(2.0 / fan_in)
    return rng.normal(0.0, np.sqrt(std), size=(fan_out, fan_in))
