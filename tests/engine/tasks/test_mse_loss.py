"""Task ``mse_loss``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.mse_loss import mse_loss
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "mse_loss"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 6


def test_shapes_tell_the_divisors_apart() -> None:
    # a missing 2, a division by N only and a division by the last axis only must give different factors
    # (with an axis of size 2, "missing the 2" and "divided by N only" could cancel out exactly)
    for case in get_task(TASK_ID).cases():
        assert 2 not in case.calls[0].args["pred"].shape


def test_worked_example() -> None:
    pred = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    target = np.array([[0.5, 2.0, 1.5], [1.0, -1.0, 2.0]])
    loss, d = mse_loss(pred, target)
    assert_written_in_statement(TASK_ID, [loss])
    assert_written_in_statement(TASK_ID, d)
