"""Task ``relu``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.relu import relu_backward, relu_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "relu"


def test_reference_backward_matches_finite_differences() -> None:
    # exact zeros sit on the kink, where finite differences are meaningless
    assert len(gradcheck_cases(TASK_ID, skip=lambda a: bool(np.any(np.abs(a["x"]) < 1e-3)))) >= 4


def test_derivative_at_zero_is_zero() -> None:
    x = np.array([[-1.0, 0.0, 2.0]])
    assert np.array_equal(relu_backward(np.array([[5.0, 6.0, 7.0]]), x), [[0.0, 0.0, 7.0]])
    zero_cases = [c for c in get_task(TASK_ID).cases() if c.name.startswith("backward_zeros")]
    assert zero_cases and all(np.any(c.calls[0].args["x"] == 0) for c in zero_cases)


def test_worked_example() -> None:
    x = np.array([[-1.5, 0.0, 2.0], [0.5, -0.25, 3.0]])
    dy = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    assert_written_in_statement(TASK_ID, relu_forward(x))
    assert_written_in_statement(TASK_ID, relu_backward(dy, x))
