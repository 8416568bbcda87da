# expect-verdict: wrong_answer
# expect-diagnosis: has NaN where a probability off the true class is 0
import numpy as np


def cross_entropy_from_probs(p, y):
    n = p.shape[0]
    onehot = np.eye(p.shape[1])[y]
    return -np.sum(onehot * np.log(p)) / n, -onehot / p / n
