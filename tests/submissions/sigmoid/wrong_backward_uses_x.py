# expect-verdict: wrong_answer
# expect-diagnosis: dx = dy * x * (1 - x) uses the input x
# expect-diagnosis: your sigmoid_forward is right but your sigmoid_backward does not match
import numpy as np


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, x):
    return dy * x * (1.0 - x)
