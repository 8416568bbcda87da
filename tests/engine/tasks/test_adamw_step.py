"""Task ``adamw_step``: cases, PyTorch's order, the decay-order cases, mistakes far from the tolerance."""

from __future__ import annotations

import numpy as np

from engine.compare import relative_error
from engine.tasks import get_task
from engine.tasks.adam_step import variant
from engine.tasks.adamw_step import _mistakes, adamw_step
from tests.engine.tasks.support import (
    adam_args,
    assert_mistakes_far,
    assert_written_in_statement,
    max_error,
    torch_adam,
    variant_args,
)

TASK_ID = "adamw_step"


def test_reference_matches_pytorchs_arrangement() -> None:
    for case in get_task(TASK_ID).cases():
        a = adam_args(case.calls[0].args, 1e-2)
        assert max_error(adamw_step(**a), torch_adam(a, decoupled=True)) < 1e-12, case.name


def test_every_mistake_fails_some_case_by_ten_tolerances() -> None:
    assert_mistakes_far(TASK_ID, adamw_step, _mistakes, 1e-2, {
        "new_param has no bias correction", "only m is bias-corrected", "only v is bias-corrected",
        "eps is inside the square root", "the bias correction uses t + 1", "the bias correction uses t - 1",
        "new_param moves up the gradient", "weight decay is added to the gradient",
        "the weight decay is not scaled by lr", "the weight decay is applied after the Adam update",
        "weight_decay is ignored",
    })


def test_decay_order_is_visible_where_the_statement_says() -> None:
    tol = get_task(TASK_ID).tolerance
    for case in get_task(TASK_ID).cases():
        a = variant_args(adam_args(case.calls[0].args, 1e-2))
        after = variant(a, decoupled=True, decay_after=True)[0]
        err = relative_error(adamw_step(**a)[0], after)
        if case.name.startswith("decay_order"):
            assert a["lr"] * a["weight_decay"] == 0.05 and err > 10 * tol, (case.name, err)
        if a["lr"] * a["weight_decay"] <= 1e-3:
            assert err < tol, (case.name, err)  # invisible at ordinary settings: never claimed there


def test_worked_example() -> None:
    p, g, z = np.array([1.0, -0.5]), np.array([0.2, -0.4]), np.zeros(2)
    p1, m1, v1 = adamw_step(p, g, z, z, 1, lr=0.1, weight_decay=0.1)
    assert np.allclose(p1, [0.89, -0.395]) and np.allclose(m1, [0.02, -0.04]) and np.allclose(v1, [4e-5, 1.6e-4])
    p2, m2, _ = adamw_step(p1, np.array([0.1, 0.3]), m1, v1, 2, lr=0.1, weight_decay=0.1)
    assert np.allclose(p2, [0.7879, -0.3821], atol=1e-4) and np.allclose(m2, [0.028, -0.006])
    assert_written_in_statement(TASK_ID, "[0.99, -0.495]", "[0.89, -0.395]", "[0.7879, -0.3821]", "[0.028, -0.006]")
