import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, np.full(x.shape, True)
    keep = rng.uniform(0.0, 1.0, size=x.shape) < 1.0 - p
    scale = np.float32(1.0 / (1.0 - p))
    return x.astype(np.float32) * keep * scale, keep.astype(np.int64)


def dropout_backward(dy, mask, p):
    out = np.zeros(dy.shape, dtype=np.float32)
    for idx in np.ndindex(dy.shape):
        if mask[idx]:
            out[idx] = dy[idx] / (1.0 - p)
    return out
