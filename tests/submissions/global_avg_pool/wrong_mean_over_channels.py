# expect-verdict: wrong_answer
# expect-diagnosis: y averages over axes (1, 2)
import numpy as np


def global_avg_pool_forward(x):
    return x.mean(axis=(1, 2))


def global_avg_pool_backward(dy, x):
    h, w = x.shape[2], x.shape[3]
    return np.broadcast_to(dy[:, :, None, None] / (h * w), x.shape).copy()
