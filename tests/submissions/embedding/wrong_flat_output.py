# expect-verdict: wrong_answer
# expect-diagnosis: out has the right values in the wrong shape
import numpy as np


def embedding_forward(ids, W):
    return W[ids.reshape(-1)]


def embedding_backward(dout, ids, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    np.add.at(dW, ids.reshape(-1), dout.reshape(-1, dout.shape[-1]))
    return dW
