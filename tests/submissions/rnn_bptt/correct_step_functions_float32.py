import numpy as np


def _step(x_t, h_prev, Wx, Wh, b):
    h = np.tanh(x_t @ Wx + h_prev @ Wh + b)
    return h, (x_t, h_prev, h)


def _step_backward(dh, cache, Wx, Wh):
    x_t, h_prev, h = cache
    dpre = dh * (1 - h * h)
    return dpre @ Wx.T, dpre @ Wh.T, x_t.T @ dpre, h_prev.T @ dpre, dpre.sum(axis=0)


def _run(x, h0, Wx, Wh, b):
    x, h, Wx, Wh, b = (a.astype(np.float32) for a in (x, h0, Wx, Wh, b))
    hs, caches = [], []
    for t in range(x.shape[1]):
        h, cache = _step(x[:, t], h, Wx, Wh, b)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


def rnn_forward(x, h0, Wx, Wh, b):
    return _run(x, h0, Wx, Wh, b)[0]


def rnn_backward(dhs, x, h0, Wx, Wh, b):
    _, caches = _run(x, h0, Wx, Wh, b)
    Wx32, Wh32 = Wx.astype(np.float32), Wh.astype(np.float32)
    grads = [np.zeros(Wx.shape, np.float32), np.zeros(Wh.shape, np.float32), np.zeros(b.shape, np.float32)]
    dxs = [None] * x.shape[1]
    dh = np.zeros(h0.shape, np.float32)
    for t in range(x.shape[1] - 1, -1, -1):
        dx_t, dh, dWx, dWh, db = _step_backward(dhs[:, t].astype(np.float32) + dh, caches[t], Wx32, Wh32)
        dxs[t] = dx_t
        for g, d in zip(grads, (dWx, dWh, db)):
            g += d
    return (np.stack(dxs, axis=1), dh, *grads)
