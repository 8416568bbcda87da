# expect-verdict: wrong_answer
# expect-diagnosis: dx takes sum(dy * y) over axis 0; it runs over the last axis only
import numpy as np


def softmax_backward(dy, y):
    return y * (dy - np.sum(dy * y, axis=0, keepdims=True))
