# expect-verdict: wrong_answer
# expect-diagnosis: W looks uniform, not normal
import numpy as np


def he_normal(fan_in, fan_out, rng):
    # He UNIFORM: the right variance, the wrong distribution
    bound = np.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_out, fan_in))
