"""Task ``bce_with_logits``: reference gradient, stability on large logits, cases, detectors, worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.bce_with_logits import bce_with_logits, elementwise_bce
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases

TASK_ID = "bce_with_logits"


TASK = get_task(TASK_ID)


def test_reference_gradient_matches_finite_differences() -> None:
    # the large case: a step of 1e-6 on a logit of 1e3 is below its rounding
    assert len(gradcheck_cases(TASK_ID, skip=lambda a: bool(np.max(np.abs(a["logits"])) > 50))) >= 6


def test_matches_the_two_softplus_terms_and_stays_finite() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        z, t = a["logits"], a["targets"]
        loss, grad = bce_with_logits(z, t)
        terms = t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)
        np.testing.assert_allclose(loss, terms.mean(), rtol=1e-12)
        assert np.all(np.isfinite(grad)) and np.isfinite(loss)
    np.testing.assert_allclose(elementwise_bce(np.array([1000.0, -1000.0]), np.array([0.0, 1.0])), [1000.0, 1000.0])


def test_the_large_case_breaks_the_naive_formula() -> None:
    a = next(c for c in TASK.cases() if c.name == "large_logits").calls[0].args
    z, t = a["logits"], a["targets"]
    with np.errstate(all="ignore"):
        p = 1.0 / (1.0 + np.exp(-z))
        naive = -np.mean(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
    assert not np.isfinite(naive)
    assert np.max(np.abs(z)) == 1000.0 and np.any((t > 0) & (t < 1))


def test_cases_have_soft_targets_and_several_shapes() -> None:
    cases = [c.calls[0].args for c in TASK.cases()]
    assert any(np.any((a["targets"] > 0) & (a["targets"] < 1)) for a in cases)
    assert {a["logits"].ndim for a in cases} >= {1, 2, 3}


def test_worked_example() -> None:
    z = np.array([[2.0, -1.0], [0.0, 3.0]])
    t = np.array([[1.0, 0.0], [0.5, 0.2]])
    loss, grad = bce_with_logits(z, t)
    assert_in_statement(TASK_ID, elementwise_bce(z, t), loss, grad)
