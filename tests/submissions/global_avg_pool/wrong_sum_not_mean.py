# expect-verdict: wrong_answer
# expect-diagnosis: y is the sum over H and W
# expect-diagnosis: dx is missing the 1 / (H * W) factor
# expect-diagnosis: your global_avg_pool_backward matches the numerical gradient of your global_avg_pool_forward
import numpy as np


def global_avg_pool_forward(x):
    return x.sum(axis=(2, 3))


def global_avg_pool_backward(dy, x):
    h, w = x.shape[2], x.shape[3]
    return np.broadcast_to(dy[:, :, None, None], x.shape).copy()
