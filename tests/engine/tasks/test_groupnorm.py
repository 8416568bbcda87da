"""Task ``groupnorm``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.groupnorm import _variant_dx, groupnorm_backward, groupnorm_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "groupnorm"
TASK = get_task(TASK_ID)


@pytest.mark.parametrize(
    ("shape", "groups", "eps"),
    [((2, 4, 2, 3), 2, 1e-5), ((1, 6, 3, 2), 3, 1e-5), ((2, 3, 2, 2), 1, 1e-5), ((2, 3, 1, 3), 3, 1e-2)],
)
def test_backward_matches_finite_differences(shape: tuple[int, int, int, int], groups: int, eps: float) -> None:
    rng = np.random.default_rng(sum(shape) + groups)
    c = shape[1]
    x = rng.standard_normal(shape) * rng.uniform(0.5, 2.0, (shape[0], c, 1, 1)) + rng.standard_normal(
        (shape[0], c, 1, 1)
    )
    gamma, beta = rng.uniform(0.5, 2.0, c), rng.standard_normal(c)
    gradcheck_reference(
        lambda x, gamma, beta: groupnorm_forward(x, gamma, beta, groups, eps=eps),
        [x, gamma, beta],
        lambda up, x, gamma, beta: groupnorm_backward(up, x, gamma, groups, eps=eps),
        ["x", "gamma", "beta"],
    )


def test_groups_are_contiguous_channels_and_limits_are_layer_and_instance_norm() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 6, 3, 2)) * 3.0 + 1.0
    ones, zeros = np.ones(6), np.zeros(6)
    y = groupnorm_forward(x, ones, zeros, 3)
    for g in range(3):
        block = x[:, 2 * g : 2 * g + 2]
        mu = block.mean(axis=(1, 2, 3), keepdims=True)
        var = block.var(axis=(1, 2, 3), keepdims=True)
        np.testing.assert_allclose(y[:, 2 * g : 2 * g + 2], (block - mu) / np.sqrt(var + 1e-5), rtol=1e-12)
    inst = (x - x.mean(axis=(2, 3), keepdims=True)) / np.sqrt(x.var(axis=(2, 3), keepdims=True) + 1e-5)
    np.testing.assert_allclose(groupnorm_forward(x, ones, zeros, 6), inst, rtol=1e-12)
    layer = (x - x.mean(axis=(1, 2, 3), keepdims=True)) / np.sqrt(x.var(axis=(1, 2, 3), keepdims=True) + 1e-5)
    np.testing.assert_allclose(groupnorm_forward(x, ones, zeros, 1), layer, rtol=1e-12)


def test_cases_cover_group_counts() -> None:
    args = [c.calls[0].args for c in TASK.cases()]
    assert any(a["x"].shape[0] == 1 for a in args)
    assert any(a["num_groups"] == 1 for a in args)
    assert any(a["num_groups"] == a["x"].shape[1] for a in args)
    assert any(1 < a["num_groups"] < a["x"].shape[1] for a in args)
    assert any(a["x"].shape[2] != a["x"].shape[3] for a in args)
    assert any("eps" in a for a in args)


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[[[1.0, 3.0]], [[5.0, 7.0]], [[0.0, 2.0]], [[1.0, -1.0]]]])
    gamma, beta = np.array([1.0, 2.0, 1.0, 0.5]), np.array([0.0, 0.0, 1.0, 0.0])
    assert_in_statement(TASK_ID, groupnorm_forward(x, gamma, beta, 2))
    dy = np.array([[[[1.0, 0.0]], [[0.0, 0.0]], [[0.0, 1.0]], [[2.0, 0.0]]]])
    assert_in_statement(TASK_ID, *groupnorm_backward(dy, x, gamma, 2))


def test_detector_variants_reduce_to_the_reference() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        if case.calls[0].function == "groupnorm_backward":
            dx = _variant_dx(a["dy"], a["x"], a["gamma"], a["num_groups"], a.get("eps", 1e-5))
            np.testing.assert_allclose(dx, TASK.expected_outputs(case.calls[0])["dx"], rtol=1e-12, atol=1e-14)
