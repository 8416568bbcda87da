# expect-verdict: wrong_answer
# expect-diagnosis: pe uses the exponent i / d_model
import numpy as np


def sinusoidal_positional_encoding(length, d_model):
    pos = np.arange(length)[:, None]
    angle = pos / 10000.0 ** (np.arange(d_model // 2)[None, :] / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe
