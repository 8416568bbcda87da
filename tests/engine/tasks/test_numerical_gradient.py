"""Task ``numerical_gradient``: analytic gradients of the known functions, tolerances, the judge, worked example."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import numpy as np
import pytest

from engine.compare import relative_error
from engine.known_functions import KNOWN_FUNCTIONS
from engine.task import Call, CallResult, Case, FunctionRef
from engine.tasks import get_task
from engine.tasks.numerical_gradient import (
    ANALYTIC,
    TOLERANCE,
    _one_sided,
    analytic_gradient,
    judge,
    numerical_gradient,
)
from questions.schema import TaskText

TASK_ID = "numerical_gradient"
TEXT_PATH = Path(__file__).resolve().parents[3] / "questions" / "tasks" / f"{TASK_ID}.toml"


def _text() -> TaskText:
    return TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text()))


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
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
    found: dict[str, list[tuple[str, object]]] = {}
    for node in ast.parse(text.starter).body:
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args]
            defaults: list[object] = [None] * (len(names) - len(node.args.defaults))
            defaults += [ast.literal_eval(d) for d in node.args.defaults]
            found[node.name] = list(zip(names, defaults, strict=True))
            assert ast.get_docstring(node), node.name
            assert isinstance(node.body[-1], ast.Raise)
    want = {
        f.name: [(p.name, None if p.default is None else ast.literal_eval(p.default)) for p in f.params]
        for f in get_task(TASK_ID).functions
    }
    assert found == want
    assert "import numpy as np" in text.starter


def _assert_in_statement(*snippets: str) -> None:
    statement = _text().statement
    for s in snippets:
        assert s in statement, (s, TASK_ID)


def _calls() -> list[Call]:
    return [c for case in get_task(TASK_ID).cases() for c in case.calls]


def _eps(call: Call) -> float:
    return float(call.args.get("eps", 1e-6))


def test_every_known_function_has_an_analytic_gradient() -> None:
    assert set(ANALYTIC) == set(KNOWN_FUNCTIONS)


@pytest.mark.parametrize("name", sorted(KNOWN_FUNCTIONS))
def test_analytic_gradients_are_right(name: str) -> None:
    # Richardson-extrapolated centred differences (error O(h**4)) agree with the formulas to ~1e-9.
    f = KNOWN_FUNCTIONS[name]
    rng = np.random.default_rng(3)
    for shape in [(5,), (2, 3), (2, 2, 3), (2,)]:
        x = rng.standard_normal(shape) * 1.5
        exact = analytic_gradient(name, x)
        d1 = numerical_gradient(f, x.copy(), 1e-3)
        d2 = numerical_gradient(f, x.copy(), 5e-4)
        richardson = (4 * d2 - d1) / 3
        assert relative_error(exact, richardson) < 1e-8, (name, shape)


def test_analytic_gradient_of_log_sum_exp_is_the_softmax() -> None:
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    g = analytic_gradient("log_sum_exp", x)
    assert np.isclose(g.sum(), 1.0) and np.allclose(g, np.exp(x) / np.exp(x).sum())


def test_reference_is_within_a_quarter_of_the_tolerance_and_restores_x() -> None:
    for call in _calls():
        x = call.args["x"].copy()
        f = KNOWN_FUNCTIONS[call.args["f"].name]
        got = numerical_gradient(f, x, _eps(call))
        assert np.array_equal(x, call.args["x"])  # bit for bit
        assert relative_error(analytic_gradient(call.args["f"].name, x), got) < TOLERANCE / 4, call.args["f"]


def test_forward_differences_fail_where_the_statement_says() -> None:
    failing = 0
    for call in _calls():
        name, eps = call.args["f"].name, _eps(call)
        forward = _one_sided(KNOWN_FUNCTIONS[name], call.args["x"], eps, forward=True)
        err = relative_error(analytic_gradient(name, call.args["x"]), forward)
        if eps == 1e-6:
            assert err < TOLERANCE / 2  # invisible at the default eps: never claimed there
        elif name != "neighbour_product":  # linear in each element: a one-sided difference is exact there
            assert err > 10 * TOLERANCE, (name, err)
            failing += 1
    assert failing >= 4


def test_restoring_by_arithmetic_changes_x_in_some_case() -> None:
    # justifies the statement's warning: x += eps; x -= 2 eps; x += eps does not always give x back
    changed = 0
    for call in _calls():
        x = call.args["x"].copy()
        eps = _eps(call)
        for i in np.ndindex(x.shape):
            x[i] += eps
            x[i] -= 2 * eps
            x[i] += eps
        changed += not np.array_equal(x, call.args["x"])
    assert changed >= 1


def _verdict(call: Call, value: object, mutated: tuple[str, ...] = ()) -> tuple[bool, list[str]]:
    j = judge(Case("probe", (call,)), [CallResult(call, value=value, mutated=mutated)])
    return j.ok, j.diagnoses


def test_judge_accepts_float32_and_names_mutation_and_mistakes() -> None:
    call = Call("numerical_gradient", {"f": FunctionRef("sum_of_squares"), "x": np.array([1.0, -2.0, 0.5]),
                                       "eps": 1e-3})
    exact = analytic_gradient("sum_of_squares", call.args["x"])
    assert _verdict(call, exact.astype(np.float32)) == (True, [])
    ok, diagnoses = _verdict(call, exact, mutated=("x",))
    assert not ok and any("left x modified" in d for d in diagnoses)
    forward = _one_sided(KNOWN_FUNCTIONS["sum_of_squares"], call.args["x"], 1e-3, forward=True)
    ok, diagnoses = _verdict(call, forward)
    assert not ok and any("one-sided (forward)" in d for d in diagnoses)
    backward = _one_sided(KNOWN_FUNCTIONS["sum_of_squares"], call.args["x"], 1e-3, forward=False)
    ok, diagnoses = _verdict(call, backward)
    assert not ok and any("one-sided (backward)" in d for d in diagnoses)
    ok, diagnoses = _verdict(call, -exact)
    assert not ok and any("wrong sign" in d for d in diagnoses)
    ok, diagnoses = _verdict(call, 0.5 * exact)
    assert not ok and any("half the gradient" in d for d in diagnoses)


def test_worked_example() -> None:
    f = KNOWN_FUNCTIONS["sum_of_cubes"]
    x = np.array([1.0, -2.0])
    assert np.allclose(numerical_gradient(f, x.copy(), 1e-3), [3.000001, 12.000001], atol=1e-9)
    assert np.allclose(_one_sided(f, x, 1e-3, forward=True), [3.003001, 11.994001], atol=1e-9)
    _assert_in_statement("[3.000001, 12.000001]", "[3.003001, 11.994001]", "relative tolerance\nof 1e-5")
