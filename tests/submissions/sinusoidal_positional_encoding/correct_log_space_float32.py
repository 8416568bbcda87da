import math

import numpy as np


def sinusoidal_positional_encoding(length, d_model):
    # the PyTorch-tutorial form: exp(2i * -ln(10000) / d_model), in float32
    position = np.arange(length, dtype=np.float32)[:, None]
    div_term = np.exp(np.arange(0, d_model, 2, dtype=np.float32) * np.float32(-math.log(10000.0) / d_model))
    pe = np.zeros((length, d_model), dtype=np.float32)
    pe[:, 0::2] = np.sin(position * div_term)
    pe[:, 1::2] = np.cos(position * div_term)
    return pe
