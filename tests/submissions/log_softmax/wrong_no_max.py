# expect-verdict: wrong_answer
# expect-diagnosis: out overflows to NaN or inf on large logits
import numpy as np


def log_softmax(z):
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
