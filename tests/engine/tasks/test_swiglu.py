"""Task ``swiglu``: reference gradients, cases, starter, detectors and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.swiglu import swiglu_backward, swiglu_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases

TASK_ID = "swiglu"


TASK = get_task(TASK_ID)


def test_reference_backward_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 5


def test_cases_cover_hidden_wider_narrower_and_equal_to_input() -> None:
    shapes = {(c.calls[0].args["W"].shape, c.calls[0].args["x"].shape[0]) for c in TASK.cases()}
    assert any(h > d for (h, d), _ in shapes) and any(h < d for (h, d), _ in shapes)
    assert any(h == d for (h, d), _ in shapes) and any(n == 1 for _, n in shapes)


def test_silu_gate_and_value_roles() -> None:
    x = np.array([[1.0, 0.0]])
    W = np.array([[2.0, 0.0]])
    V = np.array([[3.0, 0.0]])
    # a = 2, b = 3: silu(2) * 3
    np.testing.assert_allclose(swiglu_forward(x, W, V), [[2.0 / (1.0 + np.exp(-2.0)) * 3.0]])


def test_worked_example() -> None:
    x = np.array([[1.0, -2.0]])
    W = np.array([[0.5, 0.0], [1.0, 1.0], [-1.0, 0.5]])
    V = np.array([[1.0, 1.0], [0.0, -1.0], [2.0, 0.0]])
    dy = np.array([[1.0, -0.5, 2.0]])
    assert_in_statement(TASK_ID, x @ W.T, x @ V.T, swiglu_forward(x, W, V), *swiglu_backward(dy, x, W, V))
