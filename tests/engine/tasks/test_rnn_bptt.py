"""Task ``rnn_bptt``: the reference against finite differences, the rnn_cell task and PyTorch; the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.rnn_bptt import rnn_backward, rnn_forward
from engine.tasks.rnn_cell import rnn_cell_backward, rnn_cell_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "rnn_bptt"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 6


def test_agrees_with_the_rnn_cell_task_step_by_step() -> None:
    """The sequence is rnn_cell steps with W_ih = Wx^T, W_hh = Wh^T and one bias; BPTT chains their backwards."""
    rng = np.random.default_rng(8)
    N, T, D, H = 3, 4, 2, 5
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, H)) * 0.5, rng.standard_normal((H, H)) * 0.4, rng.standard_normal(H)
    dhs = rng.standard_normal((N, T, H))
    zero = np.zeros(H)
    states = [h0]
    for t in range(T):
        states.append(rnn_cell_forward(x[:, t], states[-1], Wx.T, Wh.T, b, zero))
    np.testing.assert_allclose(rnn_forward(x, h0, Wx, Wh, b), np.stack(states[1:], axis=1), rtol=1e-12)
    dx, dh0, dWx, dWh, db = rnn_backward(dhs, x, h0, Wx, Wh, b)
    carried = np.zeros((N, H))
    sums = [np.zeros((H, D)), np.zeros((H, H)), np.zeros(H)]
    for t in reversed(range(T)):
        gx, carried, gWih, gWhh, gb, _ = rnn_cell_backward(dhs[:, t] + carried, x[:, t], states[t], Wx.T, Wh.T, b, zero)
        np.testing.assert_allclose(dx[:, t], gx, rtol=1e-12, atol=1e-12)
        sums = [s + g for s, g in zip(sums, (gWih, gWhh, gb), strict=True)]
    np.testing.assert_allclose(dh0, carried, rtol=1e-12, atol=1e-12)
    for mine, cell in zip((dWx.T, dWh.T, db), sums, strict=True):
        np.testing.assert_allclose(mine, cell, rtol=1e-12, atol=1e-12)


def test_worked_example() -> None:
    x, h0 = np.array([[[1.0], [-1.0]]]), np.array([[0.0, 0.5]])
    Wx, Wh, b = np.array([[1.0, -1.0]]), np.array([[0.5, 0.0], [1.0, 1.0]]), np.array([0.0, 0.1])
    dhs = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    assert_written_in_statement(TASK_ID, rnn_forward(x, h0, Wx, Wh, b), *rnn_backward(dhs, x, h0, Wx, Wh, b))


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        call = case.calls[0]
        if call.function != "rnn_backward":
            continue
        a = call.args
        rnn = torch.nn.RNN(a["x"].shape[2], a["h0"].shape[1], batch_first=True, dtype=torch.float64)
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(torch.tensor(a["Wx"].T))
            rnn.weight_hh_l0.copy_(torch.tensor(a["Wh"].T))
            rnn.bias_ih_l0.copy_(torch.tensor(a["b"]))
            rnn.bias_hh_l0.zero_()
        x = torch.tensor(a["x"], requires_grad=True)
        h0 = torch.tensor(a["h0"][None], requires_grad=True)
        hs, _ = rnn(x, h0)
        np.testing.assert_allclose(rnn_forward(a["x"], a["h0"], a["Wx"], a["Wh"], a["b"]), hs.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
        hs.backward(torch.tensor(a["dhs"]))
        dx, dh0, dWx, dWh, db = rnn_backward(**a)
        for mine, theirs in ((dx, x.grad), (dh0, h0.grad[0]), (dWx.T, rnn.weight_ih_l0.grad),
                             (dWh.T, rnn.weight_hh_l0.grad), (db, rnn.bias_ih_l0.grad)):
            np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)
