# expect-verdict: wrong_answer
# expect-diagnosis: p overflows to NaN or inf on large logits: subtract each row's max
import numpy as np


def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
