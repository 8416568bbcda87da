# expect-verdict: wrong_answer
# expect-diagnosis: loss is not divided by the number of elements pred.size: take the mean
# expect-diagnosis: your gradient is right but your loss value is wrong
import numpy as np


def mse_loss(pred, target):
    d = pred - target
    return float(np.sum(d**2)), 2.0 * d / d.size
