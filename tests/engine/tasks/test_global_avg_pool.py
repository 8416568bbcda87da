"""Task ``global_avg_pool``: reference gradient, cases, starter, detectors and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.global_avg_pool import global_avg_pool_backward, global_avg_pool_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases

TASK_ID = "global_avg_pool"


TASK = get_task(TASK_ID)


def test_reference_backward_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 6


def test_cases_use_non_square_images() -> None:
    sizes = {c.calls[0].args["x"].shape[2:] for c in TASK.cases()}
    assert any(h > w for h, w in sizes) and any(h < w for h, w in sizes) and (1, 1) in sizes


def test_worked_example() -> None:
    x = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[0.5, -1.0, 0.0], [2.0, 1.5, -1.0]]]])
    dy = np.array([[1.2, -0.6]])
    assert_in_statement(TASK_ID, global_avg_pool_forward(x), global_avg_pool_backward(dy, x))
