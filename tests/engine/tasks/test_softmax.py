"""Task ``softmax``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np

from engine.tasks import get_task
from engine.tasks.softmax import softmax
from questions.schema import TaskText

TASK_ID = "softmax"
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


def _loop_softmax(z: np.ndarray) -> np.ndarray:
    import math

    rows = z.reshape(-1, z.shape[-1])
    out = np.empty(rows.shape)
    for i, row in enumerate(rows):
        m = max(row)
        e = [math.exp(v - m) for v in row]
        s = math.fsum(e)
        out[i] = [v / s for v in e]
    return out.reshape(z.shape)


def test_reference_on_every_case() -> None:
    for case in get_task(TASK_ID).cases():
        z = case.calls[0].args["z"]
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            p = softmax(z)
        assert p.shape == z.shape
        assert np.allclose(p.sum(axis=-1), 1.0, atol=1e-12)
        assert np.allclose(p, _loop_softmax(z), rtol=1e-12, atol=1e-15), case.name


def test_cases_cover_large_logits_ties_and_leading_axes() -> None:
    cases = {c.name: c.calls[0].args["z"] for c in get_task(TASK_ID).cases()}
    assert max(float(np.max(np.abs(z))) for z in cases.values()) >= 1e4
    assert any(z.ndim == 1 for z in cases.values()) and any(z.ndim >= 3 for z in cases.values())
    assert any(z.ndim == 2 and z.shape[0] == 1 for z in cases.values())
    ties = cases["ties"]
    assert any(len(set(row)) < len(row) for row in ties)


def test_gradient_of_softmax_is_not_required() -> None:
    assert [f.name for f in get_task(TASK_ID).functions] == ["softmax"]


def test_worked_example() -> None:
    _assert_in_statement(softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])))
