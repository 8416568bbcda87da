# expect-verdict: wrong_answer
# expect-diagnosis: dx sums dy alone over the row
import numpy as np


def softmax_backward(dy, y):
    return y * (dy - dy.sum(axis=-1, keepdims=True))
