# expect-verdict: wrong_answer
# expect-diagnosis: the ReLU is missing
import numpy as np


def residual_block_forward(x, W1, b1, W2, b2):
    a = x @ W1.T + b1
    return x + a @ W2.T + b2


def residual_block_backward(dy, x, W1, b1, W2, b2):
    pre = x @ W1.T + b1
    a = np.maximum(pre, 0.0)
    da = dy @ W2
    dpre = da * (pre > 0)
    dx = dy + dpre @ W1
    return dx, dpre.T @ x, dpre.sum(axis=0), dy.T @ a, dy.sum(axis=0)
