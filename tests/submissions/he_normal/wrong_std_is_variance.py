# expect-verdict: wrong_answer
# expect-diagnosis: the standard deviation is 2 / fan_in
import numpy as np


def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_out, fan_in))
