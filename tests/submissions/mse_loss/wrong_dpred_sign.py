# expect-verdict: wrong_answer
# expect-diagnosis: dpred has the wrong sign
import numpy as np


def mse_loss(pred, target):
    d = target - pred
    return float(np.mean(d**2)), 2.0 * d / d.size
