# expect-verdict: wrong_answer
# expect-diagnosis: loss is divided by pred.shape[-1] only
import numpy as np


def mse_loss(pred, target):
    d = pred - target
    loss = np.sum(np.mean(d**2, axis=-1))
    return float(loss), 2.0 * d / d.size
