import numpy as np


def embedding_forward(ids, W):
    return W[ids]


def embedding_backward(dout, ids, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    np.add.at(dW, ids, dout)
    return dW
