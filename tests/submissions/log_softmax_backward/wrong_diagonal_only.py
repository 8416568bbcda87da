# expect-verdict: wrong_answer
# expect-diagnosis: dx keeps only the diagonal of the Jacobian
import numpy as np


def log_softmax_backward(dy, y):
    return dy * (1.0 - np.exp(y))
