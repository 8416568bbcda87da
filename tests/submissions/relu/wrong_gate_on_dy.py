# expect-verdict: wrong_answer
# expect-diagnosis: dx is gated on the sign of dy
# expect-diagnosis: your relu_forward is right but your relu_backward does not match its numerical gradient
import numpy as np


def relu_forward(x):
    return np.maximum(x, 0.0)


def relu_backward(dy, x):
    return np.maximum(dy, 0.0)
