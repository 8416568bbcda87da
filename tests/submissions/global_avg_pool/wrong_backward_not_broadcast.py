# expect-verdict: wrong_answer
# expect-diagnosis: dx has shape (N, C, 1, 1)
import numpy as np


def global_avg_pool_forward(x):
    return x.mean(axis=(2, 3))


def global_avg_pool_backward(dy, x):
    h, w = x.shape[2], x.shape[3]
    return dy[:, :, None, None] / (h * w)
