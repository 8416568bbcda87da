"""Task ``dropout``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np
import pytest

from engine import gradcheck
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
from questions.schema import TaskText

TASK_ID = "dropout"
TEXT_PATH = Path(__file__).resolve().parents[3] / "questions" / "tasks" / f"{TASK_ID}.toml"


def _text() -> TaskText:
    return TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text()))


def _fmt(v: float) -> str:
    """A number as the statement writes it: 4 decimals, trailing zeros dropped."""
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def test_cases_are_deterministic() -> None:
    task = get_task(TASK_ID)
    first = task.make_cases(np.random.default_rng(7))
    second = task.make_cases(np.random.default_rng(7))
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        assert (a.visible, a.description, len(a.calls)) == (b.visible, b.description, len(b.calls))
        for ca, cb in zip(a.calls, b.calls, strict=True):
            assert ca.function == cb.function and ca.args.keys() == cb.args.keys()
            assert all(_same(ca.args[k], cb.args[k]) for k in ca.args)


def test_visible_examples_come_first() -> None:
    cases = get_task(TASK_ID).cases()
    visible = [c for c in cases if c.visible]
    assert 1 <= len(visible) <= 2
    assert cases[: len(visible)] == visible
    assert all(c.description for c in cases)


def test_starter_defines_exactly_the_contract_signatures() -> None:
    text = _text()
    assert text.id == TASK_ID
    tree = ast.parse(text.starter)
    found = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args]
            defaults: list[str | None] = [None] * (len(names) - len(node.args.defaults))
            defaults += [ast.unparse(d) for d in node.args.defaults]
            parts = [n if d is None else f"{n}={d}" for n, d in zip(names, defaults, strict=True)]
            found.add(f"{node.name}({', '.join(parts)})")
            assert ast.get_docstring(node), node.name
            assert isinstance(node.body[-1], ast.Raise)
    assert found == {f.signature for f in get_task(TASK_ID).functions}
    assert "import numpy as np" in text.starter


def _assert_in_statement(values: object) -> None:
    statement = _text().statement
    for v in np.ravel(np.asarray(values, dtype=np.float64)):
        assert _fmt(float(v)) in statement, (_fmt(float(v)), TASK_ID)


def _large(*arrays: np.ndarray) -> bool:
    return any(float(np.max(np.abs(a))) > 100 for a in arrays)


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

            result = gradcheck(forward, [x], lambda up, x, m=mask, q=p: dropout_backward(up, m, q), upstream=dy)
            assert result.max_rel_error <= 1e-7, case.name
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
    _assert_in_statement(x * mask / 0.75)
    _assert_in_statement(dropout_backward(dy, mask, 0.25))
