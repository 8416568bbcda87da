# expect-verdict: wrong_answer
# expect-diagnosis: the variance uses fan_out
import numpy as np


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / fan_out), size=(fan_out, fan_in))
