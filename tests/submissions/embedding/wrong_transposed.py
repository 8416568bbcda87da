# expect-verdict: wrong_answer
# expect-diagnosis: dW is the transpose of the expected gradient
import numpy as np


def embedding_forward(ids, W):
    return W[ids]


def embedding_backward(dout, ids, num_embeddings):
    onehot = np.eye(num_embeddings)[ids.reshape(-1)]
    return dout.reshape(-1, dout.shape[-1]).T @ onehot
