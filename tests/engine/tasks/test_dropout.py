"""Task ``dropout``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.report import Verdict
from engine.task import Call, CallResult, Case, RngSeed
from engine.tasks import get_task
from engine.tasks.dropout import (
    DELTA,
    MIN_STAT_SIZE,
    dropout_backward,
    dropout_forward,
    hoeffding_threshold,
    judge,
)
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_reference

TASK_ID = "dropout"


def test_reference_backward_matches_finite_differences() -> None:
    checked = 0
    for case in get_task(TASK_ID).cases():
        for call in case.calls:
            if call.function != "dropout_backward":
                continue
            dy, mask, p = call.args["dy"], call.args["mask"], call.args["p"]
            x = np.random.default_rng(0).standard_normal(dy.shape)

            def forward(x: np.ndarray, mask: np.ndarray = mask, p: float = p) -> np.ndarray:
                return np.asarray(x * mask / (1.0 - p))

            gradcheck_reference(forward, [x], lambda up, x, m=mask, q=p: dropout_backward(up, m, q), ["x"], upstream=dy)
            checked += 1
    assert checked >= 3


def test_hoeffding_threshold_and_budget() -> None:
    n = 24_000
    t = hoeffding_threshold(n)
    assert 2 * np.exp(-2 * n * t * t) == pytest.approx(DELTA, rel=1e-9)
    assert t < 0.021
    checks = [
        call
        for case in get_task(TASK_ID).cases()
        for call in case.calls
        if call.function == "dropout_forward" and call.args["train"] and call.args["x"].size >= MIN_STAT_SIZE
    ]
    assert len(checks) * DELTA < 1e-6
    for call in checks:
        p, size = call.args["p"], call.args["x"].size
        # keeping with probability p instead of 1 - p lands at least 0.4 away: far outside the threshold
        assert abs(p - (1 - p)) > 10 * hoeffding_threshold(size)


def _forward_case(x: np.ndarray, p: float, seeds: tuple[int, ...]) -> tuple[Case, list[CallResult]]:
    calls = tuple(Call("dropout_forward", {"x": x, "p": p, "train": True, "rng": RngSeed(s)}) for s in seeds)
    results = [
        CallResult(c, value=dropout_forward(x, p, True, np.random.default_rng(s)))
        for c, s in zip(calls, seeds, strict=True)
    ]
    return Case("probe", calls), results


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_judge_accepts_the_reference_for_many_seeds(p: float) -> None:
    x = np.random.default_rng(1).standard_normal((120, 200))
    for seed in range(40):
        case, results = _forward_case(x, p, (seed, seed))
        assert judge(case, results).ok, seed
        case, results = _forward_case(x, p, (seed, seed + 1000))
        assert judge(case, results).ok, seed


def test_judge_rejects_keep_with_probability_p() -> None:
    x = np.random.default_rng(1).standard_normal((120, 200))
    call = Call("dropout_forward", {"x": x, "p": 0.2, "train": True, "rng": RngSeed(3)})
    mask = np.random.default_rng(3).random(x.shape) < 0.2
    verdict = judge(Case("probe", (call,)), [CallResult(call, value=(x * mask / 0.8, mask))])
    assert not verdict.ok
    assert any("probability p" in d for d in verdict.diagnoses)


def test_reference_eval_and_p0() -> None:
    x = np.arange(6.0).reshape(2, 3)
    y, mask = dropout_forward(x, 0.7, False, np.random.default_rng(0))
    assert np.array_equal(y, x) and mask.dtype == bool and mask.all()
    y, mask = dropout_forward(x, 0.0, True, np.random.default_rng(4))
    assert np.array_equal(y, x) and mask.all()


def test_cases_cover_train_eval_and_both_p() -> None:
    calls = [c for case in get_task(TASK_ID).cases() for c in case.calls if c.function == "dropout_forward"]
    assert {c.args["train"] for c in calls} == {True, False}
    assert {0.2, 0.7, 0.0} <= {c.args["p"] for c in calls}
    assert Verdict.PASSED == "passed"


def test_worked_example() -> None:
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    mask = np.array([[True, False, True, True]])
    dy = np.array([[0.5, -1.0, 2.0, 1.0]])
    assert_written_in_statement(TASK_ID, x * mask / 0.75)
    assert_written_in_statement(TASK_ID, dropout_backward(dy, mask, 0.25))
