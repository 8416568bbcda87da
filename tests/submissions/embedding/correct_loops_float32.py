import numpy as np


def embedding_forward(ids, W):
    flat = ids.reshape(-1)
    out = np.empty((flat.size, W.shape[1]), dtype=np.float32)
    for i, t in enumerate(flat):
        out[i] = W[t]
    return out.reshape(ids.shape + (W.shape[1],))


def embedding_backward(dout, ids, num_embeddings):
    d = dout.shape[-1]
    rows = dout.reshape(-1, d).astype(np.float32)
    dW = np.zeros((num_embeddings, d), dtype=np.float32)
    for t, g in zip(ids.reshape(-1), rows):
        dW[t] += g
    return dW
