# expect-verdict: wrong_answer
# expect-diagnosis: dx multiplies dy by the input or the output of ReLU
import numpy as np


def relu_forward(x):
    return np.maximum(x, 0.0)


def relu_backward(dy, x):
    return dy * relu_forward(x)
