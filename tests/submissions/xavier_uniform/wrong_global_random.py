# expect-verdict: wrong_answer
# expect-diagnosis: W is not drawn from rng
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    a = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-a, a, size=(fan_out, fan_in))
