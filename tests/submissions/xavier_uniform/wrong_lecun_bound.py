# expect-verdict: wrong_answer
# expect-diagnosis: the bound is sqrt(3 / fan_in) (LeCun uniform)
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    a = gain * np.sqrt(3.0 / fan_in)
    return rng.uniform(-a, a, size=(fan_out, fan_in))
