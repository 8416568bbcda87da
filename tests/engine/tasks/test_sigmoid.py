"""Task ``sigmoid``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks.sigmoid import sigmoid_backward, sigmoid_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "sigmoid"


def test_reference_backward_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 5


def test_forward_is_finite_and_exact_for_large_inputs() -> None:
    import math

    x = np.array([-1000.0, -745.0, -710.0, -40.0, -0.5, 0.0, 0.5, 40.0, 710.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = sigmoid_forward(x)
    want = [1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v)) for v in x]
    assert np.allclose(y, want, rtol=1e-15, atol=0.0)
    assert np.all(np.isfinite(sigmoid_backward(np.ones_like(x), x)))


def test_worked_example() -> None:
    x, dy = np.array([-2.0, 0.0, 3.0]), np.array([1.0, 2.0, -1.0])
    assert_written_in_statement(TASK_ID, sigmoid_forward(x))
    assert_written_in_statement(TASK_ID, sigmoid_backward(dy, x))
