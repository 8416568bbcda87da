"""Task ``rnn_cell``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.rnn_cell import rnn_cell_backward, rnn_cell_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "rnn_cell"
TASK = get_task(TASK_ID)


def _rnn_inputs(rng: np.random.Generator, n: int, d: int, h: int) -> list[np.ndarray]:
    return [
        rng.standard_normal((n, d)),
        np.tanh(rng.standard_normal((n, h))),
        rng.standard_normal((h, d)) / np.sqrt(d),
        rng.standard_normal((h, h)) / np.sqrt(h),
        rng.standard_normal(h) * 0.5,
        rng.standard_normal(h) * 0.5,
    ]


@pytest.mark.parametrize(("n", "d", "h"), [(2, 3, 4), (1, 5, 3), (4, 4, 4), (3, 2, 6)])
def test_backward_matches_finite_differences(n: int, d: int, h: int) -> None:
    rng = np.random.default_rng(n * 100 + d * 10 + h)
    gradcheck_reference(
        rnn_cell_forward,
        _rnn_inputs(rng, n, d, h),
        lambda up, *args: rnn_cell_backward(up, *args),
        ["x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"],
    )


def test_forward_follows_torch_rnncell() -> None:
    rng = np.random.default_rng(5)
    x, h_prev, W_ih, W_hh, b_ih, b_hh = _rnn_inputs(rng, 3, 2, 4)
    h = rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    for i in range(3):
        want = np.tanh(W_ih @ x[i] + b_ih + W_hh @ h_prev[i] + b_hh)
        np.testing.assert_allclose(h[i], want, rtol=1e-12)


def test_cases_cover_the_shapes_that_expose_mistakes() -> None:
    shapes = {(c.calls[0].args["x"].shape, c.calls[0].args["h_prev"].shape[1]) for c in TASK.cases()}
    assert any(s[0][0] == 1 for s in shapes) and any(s[0][0] > 1 for s in shapes)
    assert any(s[0][1] < s[1] for s in shapes) and any(s[0][1] > s[1] for s in shapes)
    assert any(s[0][1] == s[1] for s in shapes)
    for case in TASK.cases():
        pre = rnn_cell_forward(*(case.calls[0].args[k] for k in ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")))
        assert np.abs(pre).max() < 0.9999  # tanh not saturated: every derivative mistake shows


def test_worked_example_matches_the_reference() -> None:
    x, h_prev = np.array([[1.0, 2.0]]), np.array([[0.5, -1.0]])
    W_ih, W_hh = np.array([[0.5, 0.5], [1.0, -1.0]]), np.array([[1.0, 0.0], [0.5, 0.5]])
    b_ih, b_hh = np.array([0.1, 0.0]), np.array([0.0, -0.2])
    assert_in_statement(TASK_ID, rnn_cell_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh))
    assert_in_statement(TASK_ID, *rnn_cell_backward(np.array([[1.0, -2.0]]), x, h_prev, W_ih, W_hh, b_ih, b_hh))

