import numpy as np


def mse_loss(pred, target):
    d = pred - target
    return float(np.mean(d**2)), 2.0 * d / d.size
