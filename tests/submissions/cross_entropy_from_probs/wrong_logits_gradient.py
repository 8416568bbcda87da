# expect-verdict: wrong_answer
# expect-diagnosis: dp is the gradient with respect to the logits
# expect-diagnosis: your loss value is right but your gradient does not match its numerical gradient
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    onehot = np.eye(p.shape[1])[y]
    return float(-np.mean(np.log(p[np.arange(n), y]))), (p - onehot) / n
