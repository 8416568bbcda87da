"""Task ``adam_step``: cases, PyTorch's arrangement, mistakes far from the tolerance, worked example."""

from __future__ import annotations

import numpy as np

from engine.compare import relative_error
from engine.tasks import get_task
from engine.tasks.adam_step import _mistakes, adam_step, variant
from tests.engine.tasks.support import (
    adam_args,
    assert_mistakes_far,
    assert_written_in_statement,
    max_error,
    torch_adam,
    variant_args,
)

TASK_ID = "adam_step"


def test_reference_matches_pytorchs_arrangement() -> None:
    for case in get_task(TASK_ID).cases():
        a = adam_args(case.calls[0].args, 0.0)
        assert max_error(adam_step(**a), torch_adam(a, decoupled=False)) < 1e-12, case.name


def test_cases_cover_small_and_large_t() -> None:
    ts = {c.calls[0].args["t"] for c in get_task(TASK_ID).cases()}
    assert {1, 2, 3} <= ts and max(ts) >= 1000


def test_every_mistake_fails_some_case_by_ten_tolerances() -> None:
    assert_mistakes_far(TASK_ID, adam_step, _mistakes, 0.0, {
        "new_param has no bias correction", "only m is bias-corrected", "only v is bias-corrected",
        "eps is inside the square root", "the bias correction uses t + 1", "the bias correction uses t - 1",
        "new_param moves up the gradient", "weight decay is decoupled", "weight_decay is ignored",
    })


def test_zero_based_t_is_not_finite_at_t1() -> None:
    a = variant_args(adam_args(get_task(TASK_ID).cases()[0].calls[0].args, 0.0))
    assert a["t"] == 1
    assert not np.all(np.isfinite(variant(a, decoupled=False, t_shift=-1)[0]))


def test_v_with_g_instead_of_g_squared_differs() -> None:
    tol = get_task(TASK_ID).tolerance
    worst = 0.0
    for case in get_task(TASK_ID).cases():
        a = variant_args(adam_args(case.calls[0].args, 0.0))
        g = a["grad"] + a["weight_decay"] * a["param"]
        ref_v = adam_step(**a)[2]
        worst = max(worst, relative_error(ref_v, a["beta2"] * a["v"] + (1 - a["beta2"]) * g))
    assert worst > 10 * tol


def test_worked_example() -> None:
    p, g, z = np.array([1.0, -0.5]), np.array([0.2, -0.4]), np.zeros(2)
    p1, m1, v1 = adam_step(p, g, z, z, 1, lr=0.1)
    assert np.allclose(p1, [0.9, -0.4]) and np.allclose(m1, [0.02, -0.04]) and np.allclose(v1, [4e-5, 1.6e-4])
    no_bc = variant(variant_args(dict(param=p, grad=g, m=z, v=z, t=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
                                      weight_decay=0.0)), decoupled=False, correct_m=False, correct_v=False)[0]
    assert np.allclose(no_bc, [0.6838, -0.1838], atol=1e-4)
    p2, m2, v2 = adam_step(p1, np.array([0.1, 0.3]), m1, v1, 2, lr=0.1)
    assert np.allclose(p2, [0.8068, -0.3911], atol=1e-4) and np.allclose(m2, [0.028, -0.006])
    assert np.allclose(v2, [4.996e-05, 2.4984e-04], rtol=1e-6)
    assert_written_in_statement(TASK_ID, "[0.9, -0.4]", "[0.6838, -0.1838]", "[0.8068, -0.3911]", "[0.028, -0.006]",
                         "4.996e-05 and 2.4984e-04", "[0.00004, 0.00016]")
