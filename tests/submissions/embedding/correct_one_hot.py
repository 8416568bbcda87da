import numpy as np


def embedding_forward(ids, W):
    onehot = np.eye(W.shape[0])[ids.reshape(-1)]
    return (onehot @ W).reshape(*ids.shape, W.shape[1])


def embedding_backward(dout, ids, num_embeddings):
    onehot = np.eye(num_embeddings)[ids.reshape(-1)]  # (T, V)
    return onehot.T @ dout.reshape(-1, dout.shape[-1])
