# expect-verdict: wrong_answer
# expect-diagnosis: in dx, sum(dy * y) is taken over axis 0; it runs over the last axis
import numpy as np


def softmax_backward(dy, y):
    return y * (dy - np.sum(dy * y, axis=0, keepdims=True))
