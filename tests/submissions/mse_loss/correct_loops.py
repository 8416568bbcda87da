import numpy as np


def mse_loss(pred, target):
    total = 0.0
    grad = np.zeros(pred.shape)
    count = pred.size
    for idx in np.ndindex(pred.shape):
        diff = pred[idx] - target[idx]
        total += diff * diff
        grad[idx] = 2.0 * diff / count
    return total / count, grad
