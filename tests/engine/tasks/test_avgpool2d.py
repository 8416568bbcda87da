"""Task ``avgpool2d``: reference gradients, overlapping windows, cases, starter, detectors and the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.avgpool2d import avgpool2d_backward, avgpool2d_forward
from engine.tasks.global_avg_pool import global_avg_pool_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "avgpool2d"


TASK = get_task(TASK_ID)


@pytest.mark.parametrize(
    ("shape", "k", "stride"),
    [((2, 2, 4, 6), 2, 2), ((2, 1, 5, 6), 3, 1), ((1, 2, 7, 8), 3, 2), ((2, 1, 8, 7), 2, 3), ((1, 1, 5, 4), 1, 2)],
)
def test_backward_matches_finite_differences(shape: tuple[int, ...], k: int, stride: int) -> None:
    x = np.random.default_rng(sum(shape) + k).standard_normal(shape)
    gradcheck_reference(
        lambda x: avgpool2d_forward(x, k, stride),
        [x],
        lambda up, x: avgpool2d_backward(up, x, k, stride),
        ["x"],
    )


def test_overlaps_accumulate_and_uncovered_positions_get_zero() -> None:
    x = np.zeros((1, 1, 5, 5))
    dy = np.ones((1, 1, 2, 2))
    dx = avgpool2d_backward(dy, x, 2, 3)
    assert np.all(dx[0, 0, 2, :] == 0) and np.all(dx[0, 0, :, 2] == 0)
    dx = avgpool2d_backward(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 3, 3)), 2, 1)
    np.testing.assert_allclose(dx[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])


def test_a_whole_image_window_is_global_average_pooling() -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 4))
    np.testing.assert_allclose(avgpool2d_forward(x, 4, 1)[:, :, 0, 0], global_avg_pool_forward(x))


def test_cases_cover_overlapping_and_disjoint_windows() -> None:
    geometry = {(c.calls[0].args["kernel_size"], c.calls[0].args["stride"]) for c in TASK.cases()}
    assert (2, 2) in geometry and (3, 1) in geometry and any(k > s > 1 for k, s in geometry)
    assert any(s > k for k, s in geometry)


def test_worked_example() -> None:
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [3.0, 1.0, 4.0, 4.0], [0.0, 2.0, 1.0, 5.0]]]])
    dy = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]])
    assert_in_statement(TASK_ID, avgpool2d_forward(x, 2, 1), avgpool2d_backward(dy, x, 2, 1))
