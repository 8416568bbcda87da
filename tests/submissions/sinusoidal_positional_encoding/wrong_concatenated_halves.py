# expect-verdict: wrong_answer
# expect-diagnosis: pe puts all the sines in the first half
import numpy as np


def sinusoidal_positional_encoding(length, d_model):
    pos = np.arange(length)[:, None]
    angle = pos / 10000.0 ** (np.arange(0, d_model, 2)[None, :] / d_model)
    return np.concatenate([np.sin(angle), np.cos(angle)], axis=1)
