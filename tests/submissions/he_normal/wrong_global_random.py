# expect-verdict: wrong_answer
# expect-diagnosis: W is not drawn from rng
import numpy as np


def he_normal(fan_in, fan_out, rng):
    return np.random.randn(fan_out, fan_in) * np.sqrt(2.0 / fan_in)
