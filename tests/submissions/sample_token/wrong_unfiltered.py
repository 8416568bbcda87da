# expect-verdict: wrong_answer
# expect-diagnosis: the token is sampled from the unfiltered distribution
import numpy as np


def sample_token(logits, u, temperature=1.0, top_k=0, top_p=1.0):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    c = np.cumsum(e / e.sum(axis=-1, keepdims=True), axis=-1)
    return np.argmax(u[:, None] < c, axis=-1)
