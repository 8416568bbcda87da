# expect-verdict: wrong_answer
# expect-diagnosis: dx is missing the sum term
import numpy as np


def softmax_backward(dy, y):
    return y * dy
