# expect-verdict: wrong_answer
# expect-diagnosis: p normalises over the whole array at once
import numpy as np


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()
