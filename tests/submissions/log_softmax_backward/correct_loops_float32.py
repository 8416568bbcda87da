import numpy as np


def log_softmax_backward(dy, y):
    """Row by row in float32, with the softmax recomputed from y (softmax(log_softmax(z)) = softmax(z))."""
    c = y.shape[-1]
    rows_y = y.reshape(-1, c).astype(np.float32)
    rows_dy = dy.reshape(-1, c).astype(np.float32)
    out = np.zeros_like(rows_dy)
    for r in range(rows_y.shape[0]):
        e = np.exp(rows_y[r] - rows_y[r].max())
        p = e / e.sum()
        total = 0.0
        for j in range(c):
            total += rows_dy[r, j]
        out[r] = rows_dy[r] - p * total
    return out.reshape(y.shape)
