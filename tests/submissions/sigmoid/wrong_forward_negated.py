# expect-verdict: wrong_answer
# expect-diagnosis: y is sigmoid(-x) = 1 - sigmoid(x)
# expect-diagnosis: your sigmoid_backward is right but your sigmoid_forward is wrong
import numpy as np


def sigmoid_forward(x):
    return 1.0 / (1.0 + np.exp(x))


def sigmoid_backward(dy, x):
    y = 1.0 / (1.0 + np.exp(-x))
    return dy * y * (1.0 - y)
