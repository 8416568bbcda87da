import numpy as np


def global_avg_pool_forward(x):
    n, c = x.shape[:2]
    return x.astype(np.float32).reshape(n, c, -1).mean(axis=-1)


def global_avg_pool_backward(dy, x):
    n, c, h, w = x.shape
    ones = np.ones((h, w), dtype=np.float32) / np.float32(h * w)
    return np.einsum("nc,hw->nchw", dy.astype(np.float32), ones)
