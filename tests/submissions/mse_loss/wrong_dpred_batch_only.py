# expect-verdict: wrong_answer
# expect-diagnosis: dpred is divided by the batch size N = pred.shape[0] only
import numpy as np


def mse_loss(pred, target):
    d = pred - target
    return float(np.mean(d**2)), 2.0 * d / pred.shape[0]
