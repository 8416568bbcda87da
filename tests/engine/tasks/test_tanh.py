"""Task ``tanh``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np

from engine import gradcheck
from engine.tasks import get_task
from engine.tasks.tanh import tanh_backward, tanh_forward
from questions.schema import TaskText

TASK_ID = "tanh"
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
            if call.function != "tanh_backward":
                continue
            dy, x = call.args["dy"], call.args["x"]
            result = gradcheck(tanh_forward, [x], lambda up, x: tanh_backward(up, x), upstream=dy)
            assert result.max_rel_error <= 1e-7, case.name
            checked += 1
    assert checked >= 5


def test_large_inputs_saturate() -> None:
    x = np.array([-1000.0, -710.0, 710.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert np.array_equal(tanh_forward(x), [-1.0, -1.0, 1.0, 1.0])
        assert np.array_equal(tanh_backward(np.ones(4), x), np.zeros(4))


def test_worked_example() -> None:
    x, dy = np.array([-1.0, 0.0, 0.5]), np.array([1.0, 2.0, -1.0])
    _assert_in_statement(tanh_forward(x))
    _assert_in_statement(tanh_backward(dy, x))
