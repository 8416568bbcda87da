# expect-verdict: wrong_answer
# expect-diagnosis: loss is divided by the batch size N = pred.shape[0] only
# expect-diagnosis: dpred is divided by the batch size N = pred.shape[0] only
import numpy as np


def mse_loss(pred, target):
    n = pred.shape[0]
    d = pred - target
    return float(np.sum(d**2) / n), 2.0 * d / n
