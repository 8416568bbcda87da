# expect-verdict: wrong_answer
# expect-diagnosis: dW keeps one gradient per repeated id instead of their sum
import numpy as np


def embedding_forward(ids, W):
    return W[ids]


def embedding_backward(dout, ids, num_embeddings):
    dW = np.zeros((num_embeddings, dout.shape[-1]))
    dW[ids.reshape(-1)] += dout.reshape(-1, dout.shape[-1])  # buffered: repeats do not add up
    return dW
