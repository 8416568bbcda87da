# expect-verdict: wrong_answer
# expect-diagnosis: out is only z - max(z)
import numpy as np


def log_softmax(z):
    return z - z.max(axis=-1, keepdims=True)
