# expect-verdict: wrong_answer
# expect-diagnosis: dpred is missing the factor 2 from the derivative of the square
# expect-diagnosis: your loss value is right but your gradient does not match its numerical gradient
import numpy as np


def mse_loss(pred, target):
    d = pred - target
    return float(np.mean(d**2)), d / d.size
