import numpy as np


def _cos_sin(positions, d, base):
    inv_freq = 1.0 / base ** (np.arange(0, d, 2) / d)
    theta = np.outer(positions, inv_freq)
    theta = np.concatenate([theta, theta], axis=-1)  # (L, D): the same angle for both halves
    return np.cos(theta), np.sin(theta)


def _rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def rope(x, positions, base=10000.0):
    cos, sin = _cos_sin(positions, x.shape[-1], base)
    return x * cos + _rotate_half(x) * sin


def rope_backward(dy, positions, base=10000.0):
    cos, sin = _cos_sin(positions, dy.shape[-1], base)
    return dy * cos - _rotate_half(dy) * sin
