"""Task ``gelu``: both modes' gradients, the gap between the modes, cases, starter, detectors and the worked example."""

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
from engine.compare import relative_error
from engine.task import Detector, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.gelu import gelu_backward, gelu_derivative, gelu_forward
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

TASK_ID = "gelu"


TASK = get_task(TASK_ID)
ROOT = Path(__file__).resolve().parents[3]
TEXT_PATH = ROOT / "questions" / "tasks" / f"{TASK_ID}.toml"
SUBMISSIONS = ROOT / "tests" / "submissions" / TASK_ID


def _text() -> TaskText:
    return TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text()))


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


def test_visible_examples_come_first_and_cover_each_function() -> None:
    cases = TASK.cases()
    visible = [c for c in cases if c.visible]
    assert 1 <= len(visible) <= 2
    assert cases[: len(visible)] == visible
    assert {c.calls[0].function for c in visible} == {f.name for f in TASK.functions}
    assert all(c.description for c in cases)


def test_reference_outputs_are_finite_and_upstream_never_all_ones() -> None:
    for case in TASK.cases():
        for call in case.calls:
            for name, value in TASK.expected_outputs(call).items():
                assert value.dtype.kind == "b" or np.all(np.isfinite(value)), (case.name, name)
            for name, value in call.args.items():
                if isinstance(value, np.ndarray) and name.startswith("d"):
                    assert not np.all(value == 1.0), (case.name, name)


def test_starter_defines_exactly_the_contract_signatures() -> None:
    text = _text()
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
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", _text().statement)]


def _assert_in_statement(*arrays: Any, tol: float = 6e-5) -> None:
    """Every value the reference gives for the worked example appears in the statement (to 4 decimals)."""
    numbers = np.array(_statement_numbers())
    for a in arrays:
        for v in np.ravel(np.asarray(a, dtype=np.float64)):
            assert np.min(np.abs(numbers - v)) <= tol, v


def _gradcheck(f: Any, inputs: list[np.ndarray], grad_fn: Any, names: list[str], **kwargs: Any) -> None:
    result = gradcheck(f, inputs, grad_fn, names=names, atol=0.0, rtol=1e-7, raise_exception=False, **kwargs)
    assert result.ok and result.max_rel_error <= 1e-7, result.report()

def test_reference_backward_matches_finite_differences() -> None:
    checked = set()
    for case in TASK.cases():
        call = case.calls[0]
        if call.function != "gelu_backward":
            continue
        mode = call.args.get("approximate", "none")
        _gradcheck(
            lambda x, m=mode: gelu_forward(x, m),
            [call.args["x"]],
            lambda up, x, m=mode: gelu_backward(up, x, m),
            ["x"],
            upstream=call.args["dy"],
        )
        checked.add(mode)
    assert checked == {"none", "tanh"}


def test_known_values() -> None:
    x = np.array([-1.0, 0.0, 1.0, 3.0])
    # x * Phi(x) with Phi(1) = 0.8413447460685429, Phi(3) = 0.9986501019683699
    np.testing.assert_allclose(gelu_forward(x), [-0.15865525393145707, 0.0, 0.8413447460685429, 2.9959503059051097])
    np.testing.assert_allclose(gelu_derivative(np.array([0.0])), [0.5])
    with pytest.raises(ValueError):
        gelu_forward(x, "fast")


def _other_mode(call: Any) -> np.ndarray:
    args = dict(call.args)
    mode = args.get("approximate", "none")
    args["approximate"] = "tanh" if mode == "none" else "none"
    fn = gelu_forward if call.function == "gelu_forward" else gelu_backward
    out: np.ndarray = fn(**args)
    return out


def test_the_mode_probe_cases_tell_the_modes_apart_with_margin() -> None:
    """Answering one mode with the other fails by at least 3x the tolerance, in both functions and both modes."""
    probes = [c for c in TASK.cases() if "mode_probe" in c.name]
    assert {(c.calls[0].function, c.calls[0].args.get("approximate", "none")) for c in probes} == {
        (f, m) for f in ("gelu_forward", "gelu_backward") for m in ("none", "tanh")
    }
    for case in probes:
        call = case.calls[0]
        expected = next(iter(TASK.expected_outputs(call).values()))
        assert relative_error(expected, _other_mode(call)) > 3 * TASK.tolerance, case.name


def test_a_float32_computation_passes_every_case_with_margin() -> None:
    for case in TASK.cases():
        call = case.calls[0]
        args = {k: v.astype(np.float32).astype(np.float64) if isinstance(v, np.ndarray) else v
                for k, v in call.args.items()}
        fn = gelu_forward if call.function == "gelu_forward" else gelu_backward
        got = fn(**args).astype(np.float32)
        expected = next(iter(TASK.expected_outputs(call).values()))
        assert relative_error(expected, got) < TASK.tolerance / 10, case.name


def test_worked_example() -> None:
    x = np.array([-2.7, -1.0, 0.0, 0.5, 2.0])
    dy = np.array([1.0, -2.0, 0.5, 1.0, 3.0])
    for mode in ("none", "tanh"):
        _assert_in_statement(gelu_forward(x, mode), gelu_backward(dy, x, mode), tol=6e-7)
