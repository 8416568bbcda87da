# expect-verdict: wrong_answer
# expect-diagnosis: pe uses the column index as the exponent
import numpy as np


def sinusoidal_positional_encoding(length, d_model):
    pos = np.arange(length)[:, None]
    j = np.arange(d_model)[None, :]
    angle = pos / 10000.0 ** (j / d_model)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))
