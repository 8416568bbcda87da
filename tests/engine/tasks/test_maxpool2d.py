"""Task ``maxpool2d``: reference gradients, ties, cases, starter signatures and detectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.maxpool2d import maxpool2d_backward, maxpool2d_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "maxpool2d"
TASK = get_task(TASK_ID)


def _distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.25 + rng.uniform(-0.05, 0.05, size)).reshape(shape)


@pytest.mark.parametrize(
    ("shape", "k", "stride"),
    [((2, 2, 4, 6), 2, 2), ((2, 1, 5, 6), 3, 1), ((1, 2, 7, 8), 3, 2), ((2, 1, 8, 7), 2, 3), ((1, 1, 4, 5), 2, 1)],
)
def test_backward_matches_finite_differences(shape: tuple[int, ...], k: int, stride: int) -> None:
    x = _distinct(np.random.default_rng(sum(shape) + k), shape)  # no ties: gaps of 0.15 or more, far above eps
    gradcheck_reference(
        lambda x: maxpool2d_forward(x, k, stride),
        [x],
        lambda up, x: maxpool2d_backward(up, x, k, stride),
        ["x"],
    )


def test_ties_go_to_the_first_maximum_and_overlaps_accumulate() -> None:
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [3.0, 1.0, 4.0, 4.0], [0.0, 2.0, 1.0, 5.0]]]])
    dy = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]])
    np.testing.assert_array_equal(maxpool2d_forward(x, 2, 1), [[[[3, 4, 4], [3, 4, 5]]]])
    expected = [[[[0, 1, 0, 0], [4, 0, 10, 0], [0, 0, 0, 6]]]]
    np.testing.assert_array_equal(maxpool2d_backward(dy, x, 2, 1), expected)


def _windows(args: dict[str, Any]) -> list[np.ndarray]:
    x, k, s = args["x"], args["kernel_size"], args["stride"]
    h_out, w_out = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    return [x[:, :, i * s : i * s + k, j * s : j * s + k] for i in range(h_out) for j in range(w_out)]


def test_tie_cases_have_exact_ties_in_float32_and_the_others_have_none() -> None:
    for case in TASK.cases():
        args = case.calls[0].args
        x = args["x"]
        counts = [
            (w.reshape(*w.shape[:2], -1) == w.max(axis=(2, 3)).reshape(*w.shape[:2], 1)).sum(-1) for w in _windows(args)
        ]
        tied = any(np.any(c > 1) for c in counts)
        if "ties" in case.name or "constant" in case.name:
            assert tied, case.name
            assert np.array_equal(x.astype(np.float32).astype(np.float64), x)
        else:
            assert not tied, case.name


def test_cases_cover_overlapping_and_disjoint_windows() -> None:
    geometry = {(c.calls[0].args["kernel_size"], c.calls[0].args["stride"]) for c in TASK.cases()}
    assert (2, 2) in geometry and (3, 1) in geometry and any(k > s > 1 for k, s in geometry)
    assert any(s > k for k, s in geometry)
    assert any((a["x"].shape[3] - a["kernel_size"]) % a["stride"] != 0 for a in (c.calls[0].args for c in TASK.cases()))


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [3.0, 1.0, 4.0, 4.0], [0.0, 2.0, 1.0, 5.0]]]])
    dy = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]])
    assert_in_statement(TASK_ID, maxpool2d_forward(x, 2, 1), maxpool2d_backward(dy, x, 2, 1))
