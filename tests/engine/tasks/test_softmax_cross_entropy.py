"""Task ``softmax_cross_entropy``: reference gradients, deterministic cases, starter signatures, worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.softmax_cross_entropy import softmax_cross_entropy
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "softmax_cross_entropy"


def _large(*arrays: np.ndarray) -> bool:
    return any(float(np.max(np.abs(a))) > 100 for a in arrays)


def test_reference_gradient_matches_finite_differences() -> None:
    # large logits: a wider step keeps rounding of values near 1e4 out of the difference quotient
    assert len(gradcheck_cases(TASK_ID, eps=lambda a: 1e-4 if _large(a["logits"]) else 1e-6)) >= 8


def test_loss_is_finite_and_right_for_huge_logits() -> None:
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    loss, d = softmax_cross_entropy(logits, np.array([2, 0]))
    assert loss == pytest.approx((2e4 + 2e4) / 2, rel=1e-12)
    assert np.allclose(d, [[0.5, 0.0, -0.5], [-0.5, 0.5, 0.0]])


def test_uniform_logits_give_log_c() -> None:
    loss, _ = softmax_cross_entropy(np.zeros((4, 7)), np.array([0, 3, 6, 6]))
    assert loss == pytest.approx(np.log(7.0), rel=1e-14)


def test_cases_cover_square_and_underflow() -> None:
    cases = {c.name: c.calls[0].args for c in get_task(TASK_ID).cases()}
    assert any(a["logits"].shape[0] == a["logits"].shape[1] for a in cases.values())
    assert any(a["logits"].shape[0] == 1 for a in cases.values())
    assert all(a["labels"].dtype == np.int64 for a in cases.values())
    huge = cases["huge_gaps"]
    e = np.exp(huge["logits"] - huge["logits"].max(axis=1, keepdims=True))
    assert np.any(e[np.arange(len(huge["labels"])), huge["labels"]] == 0.0)


def test_worked_example() -> None:
    loss, d = softmax_cross_entropy(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 2]))
    assert_written_in_statement(TASK_ID, [loss])
    assert_written_in_statement(TASK_ID, d)
