"""Task ``mse_loss``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np

from engine import gradcheck
from engine.tasks import get_task
from engine.tasks.mse_loss import mse_loss
from questions.schema import TaskText

TASK_ID = "mse_loss"
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


def test_reference_gradient_matches_finite_differences() -> None:
    checked = 0
    for case in get_task(TASK_ID).cases():
        pred, target = case.calls[0].args["pred"], case.calls[0].args["target"]
        result = gradcheck(
            lambda p, t: mse_loss(p, t)[0], [pred, target], lambda up, p, t: up * mse_loss(p, t)[1], wrt=[0]
        )
        assert result.max_rel_error <= 1e-7, case.name
        checked += 1
    assert checked >= 6


def test_shapes_tell_the_divisors_apart() -> None:
    # a missing 2, a division by N only and a division by the last axis only must give different factors
    # (with an axis of size 2, "missing the 2" and "divided by N only" could cancel out exactly)
    for case in get_task(TASK_ID).cases():
        assert 2 not in case.calls[0].args["pred"].shape


def test_worked_example() -> None:
    pred = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    target = np.array([[0.5, 2.0, 1.5], [1.0, -1.0, 2.0]])
    loss, d = mse_loss(pred, target)
    _assert_in_statement([loss])
    _assert_in_statement(d)
