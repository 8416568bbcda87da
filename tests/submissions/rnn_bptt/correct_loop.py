import numpy as np


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    hs = np.zeros((N, T, h0.shape[1]))
    h = h0
    for t in range(T):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs[:, t] = h
    return hs


def rnn_backward(dhs, x, h0, Wx, Wh, b):
    hs = rnn_forward(x, h0, Wx, Wh, b)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    dx = np.zeros_like(x)
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        dpre = (dhs[:, t] + dh_next) * (1 - hs[:, t] ** 2)
        dx[:, t] = dpre @ Wx.T
        dWx += x[:, t].T @ dpre
        dWh += prev[:, t].T @ dpre
        db += dpre.sum(axis=0)
        dh_next = dpre @ Wh.T
    return dx, dh_next, dWx, dWh, db
