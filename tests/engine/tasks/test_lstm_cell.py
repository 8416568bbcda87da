"""Task ``lstm_cell``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import ast
import copy
import re
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import gradcheck, grade
from engine.crosscheck import numeric, plan
from engine.task import CallResult, Detector, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.lstm_cell import _variant_backward, _variant_forward, lstm_cell_backward, lstm_cell_forward
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

TASK_ID = "lstm_cell"
TASK = get_task(TASK_ID)
ROOT = Path(__file__).resolve().parents[3]
TEXT_PATH = ROOT / "questions" / "tasks" / f"{TASK_ID}.toml"
SUBMISSIONS = ROOT / "tests" / "submissions" / TASK_ID
MAX_VISIBLE = 3


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def test_cases_are_deterministic() -> None:
    first = TASK.make_cases(np.random.default_rng(11))
    second = TASK.make_cases(np.random.default_rng(11))
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        assert (a.visible, a.description, len(a.calls)) == (b.visible, b.description, len(b.calls))
        for ca, cb in zip(a.calls, b.calls, strict=True):
            assert ca.function == cb.function and ca.args.keys() == cb.args.keys()
            assert all(_same(ca.args[k], cb.args[k]) for k in ca.args)
    assert [c.name for c in TASK.cases()] == [c.name for c in get_task(TASK_ID).cases()]


def test_visible_examples_come_first_and_cover_each_function() -> None:
    cases = TASK.cases()
    visible = [c for c in cases if c.visible]
    assert 1 <= len(visible) <= MAX_VISIBLE
    assert cases[: len(visible)] == visible
    assert {c.calls[0].function for c in visible} == {f.name for f in TASK.functions}
    assert all(c.description for c in cases)
    assert len(cases) - len(visible) >= 5


def test_reference_outputs_are_finite_and_upstream_never_all_ones() -> None:
    for case in TASK.cases():
        for call in case.calls:
            for name, value in TASK.expected_outputs(call).items():
                assert np.all(np.isfinite(value)), (case.name, name)
            for name, value in call.args.items():
                if isinstance(value, np.ndarray) and name.startswith("d"):
                    assert not np.all(value == 1.0), (case.name, name)


def test_starter_defines_exactly_the_contract_signatures() -> None:
    text = TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text()))
    assert text.id == TASK_ID
    tree = ast.parse(text.starter)
    assert any(isinstance(n, ast.Import) and n.names[0].name == "numpy" for n in tree.body)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert set(defs) == {f.name for f in TASK.functions}
    for spec in TASK.functions:
        node = defs[spec.name]
        args = node.args
        assert not (args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg), spec.name
        assert [a.arg for a in args.args] == [p.name for p in spec.params], spec.name
        given: list[object] = [None] * (len(args.args) - len(args.defaults))
        given += [ast.literal_eval(d) for d in args.defaults]
        wanted = [None if p.default is None else ast.literal_eval(p.default) for p in spec.params]
        assert given == wanted, spec.name
        assert ast.get_docstring(node), spec.name
        last = node.body[-1]
        assert isinstance(last, ast.Raise) and "NotImplementedError" in ast.unparse(last), spec.name


def test_every_detector_fires_on_a_known_wrong_submission(inprocess: InProcessRunner) -> None:
    fired: set[tuple[str, int]] = set()

    def spy(key: tuple[str, int], detector: Detector) -> Detector:
        def run(ctx: DiagnosisContext) -> str | None:
            found = detector(ctx)
            if found:
                fired.add(key)
            return found

        return run

    original = TASK.detectors
    TASK.detectors = {fn: tuple(spy((fn, i), d) for i, d in enumerate(dets)) for fn, dets in original.items()}
    try:
        wrong = sorted(SUBMISSIONS.glob("wrong_*.py"))
        assert len(wrong) >= 3
        for path in wrong:
            grade(path.read_text(), TASK_ID, runner=inprocess)
    finally:
        TASK.detectors = original
    every = {(fn, i) for fn, dets in original.items() for i in range(len(dets))}
    assert every - fired == set()


def test_no_detector_speaks_on_the_reference(inprocess: InProcessRunner) -> None:
    """Every detector stays silent when fed the reference outputs themselves (no false diagnosis)."""
    for case in TASK.cases():
        for call in case.calls:
            expected = TASK.expected_outputs(call)
            ctx = DiagnosisContext(
                task=TASK, call=call, got=dict(expected), expected=expected, result=CallResult(call, value=None)
            )
            for detector in TASK.detectors.get(call.function, ()):
                assert detector(ctx) is None, (case.name, detector)


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.glob("correct_*.py")), ids=lambda p: p.stem)
def test_each_call_of_a_correct_submission_is_fast(path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    for case in TASK.cases():
        for call in case.calls:
            started = time.perf_counter()
            namespace[call.function](**{k: copy.deepcopy(v) for k, v in call.args.items()})
            assert time.perf_counter() - started < 0.5, (path.stem, case.name)


def _statement_numbers() -> list[float]:
    text = TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text())).statement
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def _assert_in_statement(*arrays: Any) -> None:
    """Every value the reference gives for the worked example appears in the statement (to 4 decimals)."""
    numbers = np.array(_statement_numbers())
    for a in arrays:
        for v in np.ravel(np.asarray(a, dtype=np.float64)):
            assert np.min(np.abs(numbers - v)) <= 6e-5, v


def _gradcheck(f: Any, inputs: list[np.ndarray], grad_fn: Any, names: list[str], **kwargs: Any) -> None:
    result = gradcheck(f, inputs, grad_fn, names=names, atol=0.0, rtol=1e-7, raise_exception=False, **kwargs)
    assert result.ok and result.max_rel_error <= 1e-7, result.report()


ARGS = ["x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"]


def _lstm_inputs(rng: np.random.Generator, n: int, d: int, h: int) -> list[np.ndarray]:
    return [
        rng.standard_normal((n, d)),
        np.tanh(rng.standard_normal((n, h))),
        rng.standard_normal((n, h)),
        rng.standard_normal((4 * h, d)) / np.sqrt(d),
        rng.standard_normal((4 * h, h)) / np.sqrt(h),
        rng.standard_normal(4 * h) * 0.5,
        rng.standard_normal(4 * h) * 0.5,
    ]


@pytest.mark.parametrize(("n", "d", "h"), [(2, 3, 2), (1, 4, 3), (3, 3, 3), (2, 2, 5)])
def test_backward_matches_finite_differences(n: int, d: int, h: int) -> None:
    """Both outputs at once: f returns (h, c) stacked, the upstream is (dh, dc) stacked the same way."""
    rng = np.random.default_rng(n * 100 + d * 10 + h)

    def both(*args: np.ndarray) -> np.ndarray:
        return np.stack(lstm_cell_forward(*args))

    def grads(up: np.ndarray, *args: np.ndarray) -> Any:
        return lstm_cell_backward(up[0], up[1], *args)

    _gradcheck(both, _lstm_inputs(rng, n, d, h), grads, ARGS)


@pytest.mark.parametrize("which", [0, 1])
def test_backward_matches_finite_differences_of_each_output(which: int) -> None:
    rng = np.random.default_rng(40 + which)
    inputs = _lstm_inputs(rng, 3, 2, 4)
    up = rng.standard_normal((3, 4))
    zero = np.zeros_like(up)

    def grads(u: np.ndarray, *args: np.ndarray) -> Any:
        return lstm_cell_backward(u, zero, *args) if which == 0 else lstm_cell_backward(zero, u, *args)

    _gradcheck(lambda *args: lstm_cell_forward(*args)[which], inputs, grads, ARGS, upstream=up)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-a))
    return out


def test_forward_follows_torch_lstmcell_gate_order() -> None:
    rng = np.random.default_rng(8)
    x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = _lstm_inputs(rng, 2, 3, 2)
    h, c = lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    for n in range(2):
        a = W_ih @ x[n] + b_ih + W_hh @ h_prev[n] + b_hh
        i, f, g, o = _sigmoid(a[0:2]), _sigmoid(a[2:4]), np.tanh(a[4:6]), _sigmoid(a[6:8])
        np.testing.assert_allclose(c[n], f * c_prev[n] + i * g, rtol=1e-12)
        np.testing.assert_allclose(h[n], o * np.tanh(c[n]), rtol=1e-12)


def test_cases_have_both_upstreams_and_each_alone() -> None:
    backward = [c.calls[0].args for c in TASK.cases() if c.calls[0].function == "lstm_cell_backward"]
    assert any(not np.any(a["dc"]) and np.all(a["dh"] != 0) for a in backward)
    assert any(not np.any(a["dh"]) and np.all(a["dc"] != 0) for a in backward)
    assert any(np.all(a["dh"] != 0) and np.all(a["dc"] != 0) for a in backward)
    visible = [c for c in TASK.cases() if c.visible and c.calls[0].function == "lstm_cell_backward"]
    assert not np.any(visible[0].calls[0].args["dc"])  # the first failing backward is exactly cross-checkable


def test_cross_check_uses_both_upstream_gradients() -> None:
    """The cross-check follows the gradient into h and c at once: the reference agrees with itself on every case,
    including those where dh and dc are both non-zero, and a backward that drops dc does not."""
    rng = np.random.default_rng(0)
    (link,) = TASK.links
    both = 0
    for case in TASK.cases():
        call = case.calls[0]
        if call.function != "lstm_cell_backward":
            continue
        both += bool(np.any(call.args["dh"]) and np.any(call.args["dc"]))
        for dc_scale, expect in ((1.0, True), (0.0, False)):
            args = dict(call.args)
            value = lstm_cell_backward(**{**args, "dc": args["dc"] * dc_scale})
            result = CallResult(call, value=value)
            planned = plan(TASK, link, result, rng)
            assert planned is not None
            calls, probes = planned
            outs = [CallResult(c, value=lstm_cell_forward(**c.args)) for c in calls]
            agree = numeric(TASK, link, result, outs, probes)
            assert agree is not None
            if expect or np.any(args["dc"]):
                assert all(agree.values()) is expect, (case.name, dc_scale, agree)
    assert both > 0


def test_worked_example_matches_the_reference() -> None:
    x, h_prev, c_prev = np.array([[1.0]]), np.array([[0.5]]), np.array([[-1.0]])
    W_ih, W_hh = np.array([[0.5], [1.0], [-1.0], [2.0]]), np.array([[1.0], [-2.0], [0.0], [1.0]])
    b_ih, b_hh = np.array([0.0, 0.5, 0.0, -1.0]), np.array([0.0, 0.0, 0.5, 0.0])
    _assert_in_statement(*lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh))
    grads = lstm_cell_backward(np.array([[1.0]]), np.array([[0.5]]), x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    _assert_in_statement(*grads)


def test_detector_variants_reduce_to_the_reference() -> None:
    for case in TASK.cases():
        call = case.calls[0]
        variant = _variant_forward if call.function == "lstm_cell_forward" else _variant_backward
        got = variant(**call.args)
        for a, b in zip(got, TASK.expected_outputs(call).values(), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
