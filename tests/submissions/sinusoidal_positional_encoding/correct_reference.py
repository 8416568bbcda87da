import numpy as np


def sinusoidal_positional_encoding(length, d_model):
    pos = np.arange(length)[:, None]
    two_i = np.arange(0, d_model, 2)[None, :]
    angle = pos / 10000.0 ** (two_i / d_model)
    pe = np.zeros((length, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe
