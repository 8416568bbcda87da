# expect-verdict: wrong_answer
# expect-diagnosis: dW averages the gradients of a repeated id
import numpy as np


def embedding_forward(ids, W):
    return W[ids]


def embedding_backward(dout, ids, num_embeddings):
    d = dout.shape[-1]
    dW = np.zeros((num_embeddings, d))
    np.add.at(dW, ids.reshape(-1), dout.reshape(-1, d))
    counts = np.bincount(ids.reshape(-1), minlength=num_embeddings)
    return dW / np.maximum(counts, 1)[:, None]
