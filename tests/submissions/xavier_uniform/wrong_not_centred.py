# expect-verdict: wrong_answer
# expect-diagnosis: W is not centred at 0
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    a = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.random((fan_out, fan_in)) * a
