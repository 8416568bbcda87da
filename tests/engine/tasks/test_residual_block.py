"""Task ``residual_block``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.residual_block import MARGIN, _variant_backward, residual_block_backward, residual_block_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "residual_block"
TASK = get_task(TASK_ID)


ARGS = ["x", "W1", "b1", "W2", "b2"]


@pytest.mark.parametrize(("n", "d", "h"), [(2, 3, 4), (1, 4, 6), (5, 6, 2), (4, 5, 5)])
def test_backward_matches_finite_differences(n: int, d: int, h: int) -> None:
    rng = np.random.default_rng(n * 100 + d * 10 + h)
    while True:
        x, W1, b1 = rng.standard_normal((n, d)), rng.standard_normal((h, d)), rng.standard_normal(h)
        if np.abs(x @ W1.T + b1).min() > 0.05:  # away from the kink, where finite differences are exact
            break
    W2, b2 = rng.standard_normal((d, h)), rng.standard_normal(d)
    gradcheck_reference(residual_block_forward, [x, W1, b1, W2, b2], residual_block_backward, ARGS)


def test_cases_keep_pre_activations_away_from_the_kink() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        pre = a["x"] @ a["W1"].T + a["b1"]
        assert np.abs(pre).min() >= MARGIN and (pre > 0).any() and (pre < 0).any(), case.name


def test_cases_cover_the_shapes_that_expose_mistakes() -> None:
    shapes = {(c.calls[0].args["x"].shape, c.calls[0].args["W1"].shape[0]) for c in TASK.cases()}
    assert any(s[0][0] == 1 for s in shapes) and any(s[0][0] > 1 for s in shapes)
    assert any(s[1] < s[0][1] for s in shapes) and any(s[1] > s[0][1] for s in shapes)
    assert any(s[1] == s[0][1] for s in shapes)


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[1.0, -1.0]])
    W1, b1 = np.array([[1.0, 2.0], [2.0, 1.0], [-1.0, 0.5]]), np.array([1.5, 0.0, 0.0])
    W2, b2 = np.array([[1.0, 0.0, 2.0], [0.5, 1.0, -1.0]]), np.array([0.0, 1.0])
    assert_in_statement(TASK_ID, residual_block_forward(x, W1, b1, W2, b2))
    assert_in_statement(TASK_ID, *residual_block_backward(np.array([[1.0, 2.0]]), x, W1, b1, W2, b2))


def test_detector_variants_reduce_to_the_reference() -> None:
    for case in TASK.cases():
        call = case.calls[0]
        if call.function == "residual_block_backward":
            for a, b in zip(_variant_backward(**call.args), TASK.expected_outputs(call).values(), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
