# expect-verdict: wrong_answer
# expect-diagnosis: W does not depend on rng
import numpy as np


def he_normal(fan_in, fan_out, rng):
    fixed = np.random.default_rng(1234)
    return fixed.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
