# expect-verdict: wrong_answer
# expect-diagnosis: the gradient is not carried through time
# expect-diagnosis: the mistake is in the backward pass
import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    hs, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs.append(h)
    return np.stack(hs, axis=1)


def rnn_backward(dhs, x, h0, Wx, Wh, b):
    hs = rnn_forward(x, h0, Wx, Wh, b)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh0 = np.zeros_like(h0)
    for t in range(x.shape[1]):
        dpre = dhs[:, t] * (1 - hs[:, t] ** 2)  # each step on its own: nothing comes back from step t + 1
        dx[:, t] = dpre @ Wx.T
        dWx += x[:, t].T @ dpre
        dWh += prev[:, t].T @ dpre
        db += dpre.sum(axis=0)
        if t == 0:
            dh0 = dpre @ Wh.T
    return dx, dh0, dWx, dWh, db
