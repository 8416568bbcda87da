# expect-verdict: wrong_answer
# expect-diagnosis: dW has max(ids) + 1
import numpy as np


def embedding_forward(ids, W):
    return W[ids]


def embedding_backward(dout, ids, num_embeddings):
    dW = np.zeros((ids.max() + 1, dout.shape[-1]))
    np.add.at(dW, ids, dout)
    return dW
