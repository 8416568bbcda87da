# expect-verdict: wrong_answer
# expect-diagnosis: dx is the log-softmax backward
import numpy as np


def softmax_backward(dy, y):
    return dy - y * dy.sum(axis=-1, keepdims=True)
