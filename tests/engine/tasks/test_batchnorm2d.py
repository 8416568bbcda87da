"""Task ``batchnorm2d``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.batchnorm2d import _variant_dx, batchnorm2d_backward, batchnorm2d_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "batchnorm2d"
TASK = get_task(TASK_ID)


@pytest.mark.parametrize(("shape", "eps"), [((2, 3, 2, 2), 1e-5), ((1, 2, 3, 2), 1e-5), ((4, 2, 1, 1), 1e-2)])
def test_backward_matches_finite_differences(shape: tuple[int, int, int, int], eps: float) -> None:
    rng = np.random.default_rng(sum(shape))
    c = shape[1]
    x = rng.standard_normal(shape) + rng.standard_normal((1, c, 1, 1))
    gamma, beta = rng.uniform(0.5, 2.0, c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.uniform(0.5, 2.0, c)
    gradcheck_reference(
        lambda x, gamma, beta: batchnorm2d_forward(x, gamma, beta, rm, rv, True, eps=eps)[0],
        [x, gamma, beta],
        lambda up, x, gamma, beta: batchnorm2d_backward(up, x, gamma, eps=eps),
        ["x", "gamma", "beta"],
    )


def test_statistics_follow_pytorch() -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 2, 4)) * 2.0 + 1.0
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, -1.0])
    rm, rv = np.array([0.5, -0.5]), np.array([2.0, 0.5])
    y, new_mean, new_var = batchnorm2d_forward(x, gamma, beta, rm, rv, True, momentum=0.2)
    rows = x.transpose(0, 2, 3, 1).reshape(-1, 2)  # one row per (n, h, w)
    np.testing.assert_allclose(new_mean, 0.8 * rm + 0.2 * rows.mean(0), rtol=1e-12)
    np.testing.assert_allclose(new_var, 0.8 * rv + 0.2 * rows.var(0, ddof=1), rtol=1e-12)
    want = gamma * (rows - rows.mean(0)) / np.sqrt(rows.var(0) + 1e-5) + beta
    np.testing.assert_allclose(y.transpose(0, 2, 3, 1).reshape(-1, 2), want, rtol=1e-12)
    y_eval, m_eval, v_eval = batchnorm2d_forward(x, gamma, beta, rm, rv, False)
    np.testing.assert_allclose(
        y_eval, (gamma * (rows - rm) / np.sqrt(rv + 1e-5) + beta).reshape(3, 2, 4, 2).transpose(0, 3, 1, 2)
    )
    assert np.array_equal(m_eval, rm) and np.array_equal(v_eval, rv)


def test_cases_cover_train_eval_and_single_images() -> None:
    forward = [c.calls[0].args for c in TASK.cases() if c.calls[0].function == "batchnorm2d_forward"]
    train = [a for a in forward if a["train"]]
    evals = [a for a in forward if not a["train"]]
    assert train and evals
    assert any(a["x"].shape[0] == 1 for a in train) and any(a["x"].shape[0] == 1 for a in evals)
    assert all(a["x"].shape[0] * a["x"].shape[2] * a["x"].shape[3] >= 2 for a in train)
    assert any(a["x"].shape[2:] == (1, 1) for a in train)
    assert any(a.get("momentum", 0.1) != 0.1 for a in train)
    assert any("eps" in a for a in train)
    for a in forward:
        assert not np.allclose(a["running_mean"], 0.0) and not np.allclose(a["running_var"], 1.0)


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[[[1.0, 3.0]], [[0.0, 2.0]]], [[[5.0, 7.0]], [[2.0, 0.0]]]])
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    rm, rv = np.array([1.0, 0.0]), np.array([4.0, 1.0])
    assert_in_statement(TASK_ID, *batchnorm2d_forward(x, gamma, beta, rm, rv, True))
    assert_in_statement(TASK_ID, *batchnorm2d_forward(x, gamma, beta, rm, rv, False))
    dy = np.array([[[[1.0, 0.0]], [[0.0, 1.0]]], [[[0.0, 0.0]], [[2.0, 0.0]]]])
    assert_in_statement(TASK_ID, *batchnorm2d_backward(dy, x, gamma))


def test_detector_variants_reduce_to_the_reference() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        if case.calls[0].function == "batchnorm2d_backward":
            dx = _variant_dx(a["dy"], a["x"], a["gamma"], a.get("eps", 1e-5))
            np.testing.assert_allclose(dx, TASK.expected_outputs(case.calls[0])["dx"], rtol=1e-12, atol=1e-14)
