import numpy as np


def _turn(x, positions, base, direction):
    d = x.shape[-1] // 2
    x = x.astype(np.float32)
    z = x[..., :d] + 1j * x[..., d:]  # the pair (i, i + D/2) as one complex number
    freq = np.float32(base) ** (-np.arange(d, dtype=np.float32) * 2 / np.float32(2 * d))
    angle = positions.astype(np.float32)[:, None] * freq
    z = z * np.exp(direction * 1j * angle).astype(np.complex64)
    return np.concatenate([z.real, z.imag], axis=-1).astype(np.float32)


def rope(x, positions, base=10000.0):
    return _turn(x, positions, base, 1)


def rope_backward(dy, positions, base=10000.0):
    return _turn(dy, positions, base, -1)
