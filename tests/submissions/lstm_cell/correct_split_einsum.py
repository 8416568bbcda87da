import numpy as np


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    gates = np.einsum("nd,gd->ng", x, W_ih) + np.einsum("nk,gk->ng", h_prev, W_hh) + b_ih + b_hh
    a_i, a_f, a_g, a_o = np.split(gates, 4, axis=1)
    i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g), _sigmoid(a_o)
    c = f * c_prev + i * g
    return (i, f, g, o), c


def lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    (_, _, _, o), c = _cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    return o * np.tanh(c), c


def lstm_cell_backward(dh, dc, x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    (i, f, g, o), c = _cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    tanh_c = np.tanh(c)
    d_o = dh * tanh_c
    d_c = dc + dh * o / np.cosh(c) ** 2
    d_i, d_f, d_g = d_c * g, d_c * c_prev, d_c * i
    d_gates = np.hstack([d_i * i * (1 - i), d_f * f * (1 - f), d_g * (1 - g * g), d_o * o * (1 - o)])
    db = np.einsum("ng->g", d_gates)
    return (
        np.einsum("ng,gd->nd", d_gates, W_ih),
        np.einsum("ng,gk->nk", d_gates, W_hh),
        d_c * f,
        np.einsum("ng,nd->gd", d_gates, x),
        np.einsum("ng,nk->gk", d_gates, h_prev),
        db,
        db.copy(),
    )
