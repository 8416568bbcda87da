"""Task ``gru_cell``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.gru_cell import gru_cell_forward
from tests.engine.tasks.support import assert_in_statement

TASK_ID = "gru_cell"
TASK = get_task(TASK_ID)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-a))
    return out


def test_forward_follows_torch_grucell() -> None:
    rng = np.random.default_rng(3)
    n, d, h = 3, 2, 4
    x, h_prev = rng.standard_normal((n, d)), np.tanh(rng.standard_normal((n, h)))
    W_ih, W_hh = rng.standard_normal((3 * h, d)), rng.standard_normal((3 * h, h))
    b_ih, b_hh = rng.standard_normal(3 * h), rng.standard_normal(3 * h)
    out = gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    for i in range(n):
        W_ir, W_iz, W_in = W_ih[:h], W_ih[h : 2 * h], W_ih[2 * h :]
        W_hr, W_hz, W_hn = W_hh[:h], W_hh[h : 2 * h], W_hh[2 * h :]
        r = _sigmoid(W_ir @ x[i] + b_ih[:h] + W_hr @ h_prev[i] + b_hh[:h])
        z = _sigmoid(W_iz @ x[i] + b_ih[h : 2 * h] + W_hz @ h_prev[i] + b_hh[h : 2 * h])
        cand = np.tanh(W_in @ x[i] + b_ih[2 * h :] + r * (W_hn @ h_prev[i] + b_hh[2 * h :]))
        np.testing.assert_allclose(out[i], (1 - z) * cand + z * h_prev[i], rtol=1e-12)


def test_cases_cover_the_shapes_that_expose_mistakes() -> None:
    args = [c.calls[0].args for c in TASK.cases()]
    assert any(a["x"].shape[0] == 1 for a in args) and any(a["x"].shape[0] > 1 for a in args)
    assert any(a["x"].shape[1] < a["h_prev"].shape[1] for a in args)
    assert any(a["x"].shape[1] > a["h_prev"].shape[1] for a in args)
    for a in args:
        h = a["h_prev"].shape[1]
        assert np.abs(a["b_hh"][2 * h :]).min() > 1e-3  # b_hn matters, so its place relative to r shows


def test_worked_example_matches_the_reference() -> None:
    x, h_prev = np.array([[1.0, -1.0]]), np.array([[0.5]])
    W_ih, W_hh = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([[1.0], [-1.0], [2.0]])
    b_ih, b_hh = np.array([0.0, 0.0, 0.5]), np.array([0.0, 0.5, -0.5])
    assert_in_statement(TASK_ID, gru_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh))

