"""Task ``softmax_cross_entropy``: reference gradients, deterministic cases, starter signatures, worked example."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np
import pytest

from engine import gradcheck
from engine.tasks import get_task
from engine.tasks.softmax_cross_entropy import softmax_cross_entropy
from questions.schema import TaskText

TASK_ID = "softmax_cross_entropy"
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


def _loss(logits: np.ndarray, labels: np.ndarray) -> float:
    return softmax_cross_entropy(logits, labels)[0]


def test_reference_gradient_matches_finite_differences() -> None:
    checked = 0
    for case in get_task(TASK_ID).cases():
        logits, labels = case.calls[0].args["logits"], case.calls[0].args["labels"]
        # large logits: a wider step keeps rounding of values near 1e4 out of the difference quotient
        eps = 1e-4 if _large(logits) else 1e-6
        # labels stay fixed (gradcheck would turn every input into float64)
        result = gradcheck(
            lambda lg, lb=labels: _loss(lg, lb),
            [logits],
            lambda up, lg, lb=labels: up * softmax_cross_entropy(lg, lb)[1],
            eps=eps,
        )
        assert result.max_rel_error <= 1e-7, case.name
        checked += 1
    assert checked >= 8


def test_loss_is_finite_and_right_for_huge_logits() -> None:
    logits = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    loss, d = softmax_cross_entropy(logits, np.array([2, 0]))
    assert loss == pytest.approx((2e4 + 2e4) / 2, rel=1e-12)
    assert np.allclose(d, [[0.5, 0.0, -0.5], [-0.5, 0.5, 0.0]])


def test_uniform_logits_give_log_c() -> None:
    loss, _ = softmax_cross_entropy(np.zeros((4, 7)), np.array([0, 3, 6, 6]))
    assert loss == pytest.approx(np.log(7.0), rel=1e-14)


def test_cases_cover_square_and_underflow() -> None:
    cases = {c.name: c.calls[0].args for c in get_task(TASK_ID).cases()}
    assert any(a["logits"].shape[0] == a["logits"].shape[1] for a in cases.values())
    assert any(a["logits"].shape[0] == 1 for a in cases.values())
    assert all(a["labels"].dtype == np.int64 for a in cases.values())
    huge = cases["huge_gaps"]
    e = np.exp(huge["logits"] - huge["logits"].max(axis=1, keepdims=True))
    assert np.any(e[np.arange(len(huge["labels"])), huge["labels"]] == 0.0)


def test_worked_example() -> None:
    loss, d = softmax_cross_entropy(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 2]))
    _assert_in_statement([loss])
    _assert_in_statement(d)
