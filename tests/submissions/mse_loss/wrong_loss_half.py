# expect-verdict: wrong_answer
# expect-diagnosis: loss has an extra factor 1/2
import numpy as np


def mse_loss(pred, target):
    d = pred - target
    return 0.5 * float(np.mean(d**2)), 2.0 * d / d.size
