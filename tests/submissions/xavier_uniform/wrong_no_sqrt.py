# expect-verdict: wrong_answer
# expect-diagnosis: the bound is missing its square root
import numpy as np


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    a = gain * 6.0 / (fan_in + fan_out)
    return rng.uniform(-a, a, size=(fan_out, fan_in))
