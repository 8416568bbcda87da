# expect-verdict: wrong_answer
# expect-diagnosis: pe has shape (d_model, length), the transpose
import numpy as np


def sinusoidal_positional_encoding(length, d_model):
    pos = np.arange(length)[None, :]
    angle = pos / 10000.0 ** (np.arange(0, d_model, 2)[:, None] / d_model)
    pe = np.zeros((d_model, length))
    pe[0::2] = np.sin(angle)
    pe[1::2] = np.cos(angle)
    return pe
