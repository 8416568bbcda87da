"""Task ``leaky_relu``: reference gradients, cases, starter, detectors and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.leaky_relu import leaky_relu_backward, leaky_relu_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases

TASK_ID = "leaky_relu"


TASK = get_task(TASK_ID)


def test_reference_backward_matches_finite_differences() -> None:
    # exact zeros sit on the kink, where finite differences are meaningless
    assert len(gradcheck_cases(TASK_ID, skip=lambda a: bool(np.any(np.abs(a["x"]) < 1e-3)))) >= 4


def test_derivative_at_zero_is_the_slope_and_the_default_is_001() -> None:
    x = np.array([[-1.0, 0.0, 2.0]])
    dy = np.array([[5.0, 6.0, 7.0]])
    np.testing.assert_allclose(leaky_relu_backward(dy, x, 0.5), [[2.5, 3.0, 7.0]])
    np.testing.assert_allclose(leaky_relu_backward(dy, x), [[0.05, 0.06, 7.0]])
    np.testing.assert_allclose(leaky_relu_forward(x), [[-0.01, 0.0, 2.0]])
    zero_cases = [c for c in TASK.cases() if "zeros" in c.name]
    assert zero_cases and all(np.any(c.calls[0].args["x"] == 0) for c in zero_cases)
    defaults = [c for c in TASK.cases() if "negative_slope" not in c.calls[0].args]
    assert {c.calls[0].function for c in defaults} == {f.name for f in TASK.functions}


def test_every_input_has_both_signs() -> None:
    for case in TASK.cases():
        x = case.calls[0].args["x"]
        assert np.any(x > 0) and np.any(x < 0), case.name


def test_worked_example() -> None:
    x = np.array([[-2.0, 0.0, 1.5], [0.5, -0.4, 3.0]])
    dy = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    assert_in_statement(TASK_ID, leaky_relu_forward(x, 0.1), leaky_relu_backward(dy, x, 0.1))
