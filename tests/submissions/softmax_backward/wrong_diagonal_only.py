# expect-verdict: wrong_answer
# expect-diagnosis: dx keeps only the diagonal of the softmax Jacobian
import numpy as np


def softmax_backward(dy, y):
    return y * (1 - y) * dy
