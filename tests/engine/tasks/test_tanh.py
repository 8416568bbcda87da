"""Task ``tanh``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks.tanh import tanh_backward, tanh_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "tanh"


def test_reference_backward_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 5


def test_large_inputs_saturate() -> None:
    x = np.array([-1000.0, -710.0, 710.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.array_equal(tanh_forward(x), [-1.0, -1.0, 1.0, 1.0])
        assert np.array_equal(tanh_backward(np.ones(4), x), np.zeros(4))


def test_worked_example() -> None:
    x, dy = np.array([-1.0, 0.0, 0.5]), np.array([1.0, 2.0, -1.0])
    assert_written_in_statement(TASK_ID, tanh_forward(x))
    assert_written_in_statement(TASK_ID, tanh_backward(dy, x))
