# expect-verdict: wrong_answer
# expect-diagnosis: only the last step's upstream gradient dhs[:, -1] is used
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
    dh = dhs[:, -1]  # as if the loss read only the final state
    for t in reversed(range(x.shape[1])):
        dpre = dh * (1 - hs[:, t] ** 2)
        dx[:, t] = dpre @ Wx.T
        dWx += x[:, t].T @ dpre
        dWh += prev[:, t].T @ dpre
        db += dpre.sum(axis=0)
        dh = dpre @ Wh.T
    return dx, dh, dWx, dWh, db
