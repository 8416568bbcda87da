import math

import numpy as np


def _sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def _step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    """Per example and unit, in float32: returns the gates and c, each (N, H)."""
    x, h_prev, c_prev = (np.asarray(a, dtype=np.float32) for a in (x, h_prev, c_prev))
    W_ih, W_hh = W_ih.astype(np.float32), W_hh.astype(np.float32)
    bias = (b_ih + b_hh).astype(np.float32)
    n, H = h_prev.shape
    i, f, g, o, c = (np.zeros((n, H), dtype=np.float32) for _ in range(5))
    for b in range(n):
        a = W_ih @ x[b] + W_hh @ h_prev[b] + bias  # (4H,)
        for j in range(H):
            i[b, j] = _sig(a[j])
            f[b, j] = _sig(a[H + j])
            g[b, j] = math.tanh(a[2 * H + j])
            o[b, j] = _sig(a[3 * H + j])
            c[b, j] = f[b, j] * c_prev[b, j] + i[b, j] * g[b, j]
    return i, f, g, o, c


def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o, c = _step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    return o * np.tanh(c), c


def lstm_cell_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o, c = _step(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    n, H = c.shape
    D = x.shape[1]
    dx = np.zeros((n, D), dtype=np.float32)
    dh_prev = np.zeros((n, H), dtype=np.float32)
    dc_prev = np.zeros((n, H), dtype=np.float32)
    dW_ih = np.zeros((4 * H, D), dtype=np.float32)
    dW_hh = np.zeros((4 * H, H), dtype=np.float32)
    db = np.zeros(4 * H, dtype=np.float32)
    for b in range(n):
        da = np.zeros(4 * H, dtype=np.float32)
        for j in range(H):
            t = math.tanh(c[b, j])
            d_c = dc[b, j] + dh[b, j] * o[b, j] * (1 - t * t)
            dc_prev[b, j] = d_c * f[b, j]
            da[j] = d_c * g[b, j] * i[b, j] * (1 - i[b, j])
            da[H + j] = d_c * c_prev[b, j] * f[b, j] * (1 - f[b, j])
            da[2 * H + j] = d_c * i[b, j] * (1 - g[b, j] ** 2)
            da[3 * H + j] = dh[b, j] * t * o[b, j] * (1 - o[b, j])
        dx[b] = da @ W_ih.astype(np.float32)
        dh_prev[b] = da @ W_hh.astype(np.float32)
        dW_ih += np.outer(da, x[b].astype(np.float32))
        dW_hh += np.outer(da, h_prev[b].astype(np.float32))
        db += da
    return dx, dh_prev, dc_prev, dW_ih, dW_hh, db, db.copy()
