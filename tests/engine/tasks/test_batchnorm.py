"""Task ``batchnorm``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.batchnorm import batchnorm_backward, batchnorm_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "batchnorm"
TASK = get_task(TASK_ID)


def _forward_y(rm: np.ndarray, rv: np.ndarray, eps: float) -> Any:
    return lambda x, gamma, beta: batchnorm_forward(x, gamma, beta, rm, rv, True, eps=eps)[0]


@pytest.mark.parametrize(
    ("n", "d", "eps", "shift", "spread"),
    [(2, 3, 1e-5, 0.0, 1.0), (5, 4, 1e-2, 0.0, 0.3), (4, 2, 1e-5, 3.0, 0.5), (8, 1, 1e-5, 0.0, 1.0)],
)
def test_backward_matches_finite_differences(n: int, d: int, eps: float, shift: float, spread: float) -> None:
    rng = np.random.default_rng(n * 10 + d)
    x = rng.standard_normal((n, d)) * spread + shift
    gamma, beta = rng.uniform(0.5, 2.0, d), rng.standard_normal(d)
    rm, rv = rng.standard_normal(d), rng.uniform(0.5, 2.0, d)
    gradcheck_reference(
        _forward_y(rm, rv, eps),
        [x, gamma, beta],
        lambda up, x, gamma, beta: batchnorm_backward(up, x, gamma, eps=eps),
        ["x", "gamma", "beta"],
    )


def test_train_mode_statistics_follow_the_contract() -> None:
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    rm, rv = np.array([0.0, 1.0]), np.array([1.0, 4.0])
    y, new_mean, new_var = batchnorm_forward(x, gamma, beta, rm, rv, True, momentum=0.1)
    np.testing.assert_allclose(new_mean, 0.9 * rm + 0.1 * x.mean(0))
    np.testing.assert_allclose(new_var, 0.9 * rv + 0.1 * x.var(0, ddof=1))
    np.testing.assert_allclose(y.mean(0), beta, atol=1e-12)
    np.testing.assert_allclose(((y - beta) / gamma).var(0), x.var(0) / (x.var(0) + 1e-5))
    y_eval, m_eval, v_eval = batchnorm_forward(x, gamma, beta, rm, rv, False, momentum=0.1)
    np.testing.assert_allclose(y_eval, gamma * (x - rm) / np.sqrt(rv + 1e-5) + beta)
    assert np.array_equal(m_eval, rm) and np.array_equal(v_eval, rv)


def test_cases_cover_train_and_eval_with_non_trivial_statistics() -> None:
    forward = [c.calls[0].args for c in TASK.cases() if c.calls[0].function == "batchnorm_forward"]
    train = [a for a in forward if a["train"]]
    evals = [a for a in forward if not a["train"]]
    assert train and evals
    assert all(a["x"].shape[0] >= 2 for a in train)
    assert any(a["x"].shape[0] == 1 for a in evals)
    assert any(a.get("momentum", 0.1) != 0.1 for a in train)
    assert any("eps" in a for a in train)
    for a in forward:
        assert not np.allclose(a["running_mean"], 0.0) and not np.allclose(a["running_var"], 1.0)
    backward = [c.calls[0].args for c in TASK.cases() if c.calls[0].function == "batchnorm_backward"]
    assert all(a["x"].shape[0] >= 2 for a in backward)
    assert {a["x"].shape[0] for a in backward} >= {2}


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    rm, rv = np.array([0.0, 1.0]), np.array([1.0, 4.0])
    assert_in_statement(TASK_ID, *batchnorm_forward(x, gamma, beta, rm, rv, True))
    assert_in_statement(TASK_ID, *batchnorm_forward(x, gamma, beta, rm, rv, False)[1:])
    assert_in_statement(TASK_ID, *batchnorm_backward(np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 2.0]]), x, gamma))
