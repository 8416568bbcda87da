import math

import numpy as np


def _pre(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    n, d = x.shape
    hidden = h_prev.shape[1]
    pre = np.zeros((n, hidden), dtype=np.float32)
    for b in range(n):
        for j in range(hidden):
            s = np.float32(b_ih[j] + b_hh[j])
            for k in range(d):
                s += np.float32(x[b, k]) * np.float32(W_ih[j, k])
            for k in range(hidden):
                s += np.float32(h_prev[b, k]) * np.float32(W_hh[j, k])
            pre[b, j] = s
    return pre


def rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    pre = _pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    out = np.zeros_like(pre)
    for b in range(pre.shape[0]):
        for j in range(pre.shape[1]):
            out[b, j] = math.tanh(pre[b, j])
    return out


def rnn_cell_backward(dh, x, h_prev, W_ih, W_hh, b_ih, b_hh):
    h = rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    n, d = x.shape
    hidden = h.shape[1]
    dx = np.zeros((n, d), dtype=np.float32)
    dh_prev = np.zeros((n, hidden), dtype=np.float32)
    dW_ih = np.zeros((hidden, d), dtype=np.float32)
    dW_hh = np.zeros((hidden, hidden), dtype=np.float32)
    db = np.zeros(hidden, dtype=np.float32)
    for b in range(n):
        for j in range(hidden):
            g = np.float32(dh[b, j]) * (1 - h[b, j] * h[b, j])
            db[j] += g
            for k in range(d):
                dx[b, k] += g * np.float32(W_ih[j, k])
                dW_ih[j, k] += g * np.float32(x[b, k])
            for k in range(hidden):
                dh_prev[b, k] += g * np.float32(W_hh[j, k])
                dW_hh[j, k] += g * np.float32(h_prev[b, k])
    return dx, dh_prev, dW_ih, dW_hh, db, db.copy()
