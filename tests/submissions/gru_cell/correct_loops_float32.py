import math

import numpy as np


def gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    x, h_prev = x.astype(np.float32), h_prev.astype(np.float32)
    W_ih, W_hh = W_ih.astype(np.float32), W_hh.astype(np.float32)
    b_ih, b_hh = b_ih.astype(np.float32), b_hh.astype(np.float32)
    N, H = h_prev.shape
    out = np.zeros((N, H), dtype=np.float32)
    for b in range(N):
        for j in range(H):
            rows = {}
            for k, gate in enumerate("rzn"):
                row = k * H + j
                rows[gate] = (float(W_ih[row] @ x[b] + b_ih[row]), float(W_hh[row] @ h_prev[b] + b_hh[row]))
            r = 1.0 / (1.0 + math.exp(-(rows["r"][0] + rows["r"][1])))
            z = 1.0 / (1.0 + math.exp(-(rows["z"][0] + rows["z"][1])))
            n = math.tanh(rows["n"][0] + r * rows["n"][1])
            out[b, j] = (1.0 - z) * n + z * h_prev[b, j]
    return out
