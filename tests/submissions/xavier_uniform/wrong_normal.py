# expect-verdict: wrong_answer
# expect-diagnosis: W looks normally distributed, not uniform
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    # Xavier NORMAL: the right variance, the wrong distribution
    std = gain * np.sqrt(2.0 / (fan_in + fan_out))
    return rng.normal(0.0, std, size=(fan_out, fan_in))
