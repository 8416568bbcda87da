# expect-verdict: wrong_answer
# expect-diagnosis: dx ignores the upstream gradient dy
import numpy as np


def global_avg_pool_forward(x):
    return x.mean(axis=(2, 3))


def global_avg_pool_backward(dy, x):
    h, w = x.shape[2], x.shape[3]
    return np.full(x.shape, 1.0 / (h * w))
