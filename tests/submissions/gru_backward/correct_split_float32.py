import numpy as np


def _split(W):
    H = W.shape[0] // 3
    return W[:H], W[H : 2 * H], W[2 * H :]


def _forward(x, h, W_ih, W_hh, b_ih, b_hh):
    Wir, Wiz, Win = _split(W_ih)
    Whr, Whz, Whn = _split(W_hh)
    bir, biz, bin_ = _split(b_ih)
    bhr, bhz, bhn = _split(b_hh)
    r = 1 / (1 + np.exp(-(x @ Wir.T + bir + h @ Whr.T + bhr)))
    z = 1 / (1 + np.exp(-(x @ Wiz.T + biz + h @ Whz.T + bhz)))
    hn = h @ Whn.T + bhn
    n = np.tanh(x @ Win.T + bin_ + r * hn)
    return r, z, n, hn


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    args = [a.astype(np.float32) for a in (x, h_prev, W_ih, W_hh, b_ih, b_hh)]
    _, z, n, _ = _forward(*args)
    return (1 - z) * n + z * args[1]


def gru_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    dh, x, h, W_ih, W_hh, b_ih, b_hh = [a.astype(np.float32) for a in (dh, x, h_prev, W_ih, W_hh, b_ih, b_hh)]
    r, z, n, hn = _forward(x, h, W_ih, W_hh, b_ih, b_hh)
    Wir, Wiz, Win = _split(W_ih)
    Whr, Whz, Whn = _split(W_hh)
    dn = dh * (1 - z)
    dz = dh * (h - n)
    dan = dn * (1 - n * n)
    dhn = dan * r
    dar = dan * hn * r * (1 - r)
    daz = dz * z * (1 - z)
    dx = dar @ Wir + daz @ Wiz + dan @ Win
    dh_prev = dh * z + dar @ Whr + daz @ Whz + dhn @ Whn
    dW_ih = np.concatenate([dar.T @ x, daz.T @ x, dan.T @ x])
    dW_hh = np.concatenate([dar.T @ h, daz.T @ h, dhn.T @ h])
    db_ih = np.concatenate([dar.sum(0), daz.sum(0), dan.sum(0)])
    db_hh = np.concatenate([dar.sum(0), daz.sum(0), dhn.sum(0)])
    return dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh
