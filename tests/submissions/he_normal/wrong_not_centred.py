# expect-verdict: wrong_answer
# expect-diagnosis: W is not centred at 0
import numpy as np


def he_normal(fan_in, fan_out, rng):
    std = np.sqrt(2.0 / fan_in)
    return np.abs(rng.normal(0.0, std, size=(fan_out, fan_in)))
