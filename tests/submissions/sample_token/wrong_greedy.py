# expect-verdict: wrong_answer
# expect-diagnosis: greedy argmax
import numpy as np


def sample_token(logits, u, temperature=1.0, top_k=0, top_p=1.0):
    return np.argmax(logits, axis=-1)
