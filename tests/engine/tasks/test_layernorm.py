"""Task ``layernorm``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.layernorm import layernorm_backward, layernorm_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "layernorm"
TASK = get_task(TASK_ID)


@pytest.mark.parametrize(
    ("shape", "eps"), [((3, 5), 1e-5), ((1, 6), 1e-5), ((2, 3, 4), 1e-5), ((2, 2, 3, 4), 1e-2), ((4, 2), 1e-5)]
)
def test_backward_matches_finite_differences(shape: tuple[int, ...], eps: float) -> None:
    rng = np.random.default_rng(sum(shape))
    d = shape[-1]
    x = rng.standard_normal(shape) * rng.uniform(0.5, 2.0, (*shape[:-1], 1)) + rng.standard_normal((*shape[:-1], 1))
    gamma, beta = rng.uniform(0.5, 2.0, d), rng.standard_normal(d)
    gradcheck_reference(
        lambda x, gamma, beta: layernorm_forward(x, gamma, beta, eps=eps),
        [x, gamma, beta],
        lambda up, x, gamma, beta: layernorm_backward(up, x, gamma, eps=eps),
        ["x", "gamma", "beta"],
    )


def test_each_row_is_normalised_on_its_own() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 5)) * 4.0 + 1.0
    y = layernorm_forward(x, np.ones(5), np.zeros(5))
    np.testing.assert_allclose(y.mean(-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(-1), x.var(-1) / (x.var(-1) + 1e-5))
    np.testing.assert_allclose(layernorm_forward(x[1], np.ones(5), np.zeros(5)), y[1])


def test_cases_cover_leading_axes() -> None:
    shapes = {c.calls[0].args["x"].shape for c in TASK.cases()}
    assert {len(s) for s in shapes} >= {2, 3, 4}
    assert any(s[0] == 1 for s in shapes)
    assert all(s[-2] != s[-1] for s in shapes)


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.0, 1.0, -1.0]])
    gamma, beta = np.array([1.0, 1.0, 2.0, 2.0]), np.array([0.0, 0.0, 0.0, 1.0])
    assert_in_statement(TASK_ID, layernorm_forward(x, gamma, beta))
    assert_in_statement(TASK_ID, *layernorm_backward(np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 1.0]]), x, gamma))
