# expect-verdict: wrong_answer
# expect-diagnosis: softmax modified its input z in place
import numpy as np


def softmax(z):
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z
