"""Task ``numerical_gradient``: analytic gradients of the known functions, tolerances, the judge, worked example."""

from __future__ import annotations

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
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "numerical_gradient"


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
    assert_written_in_statement(
        TASK_ID, "[3.000001, 12.000001]", "[3.003001, 11.994001]", "relative tolerance\nof 1e-5"
    )
