"""Task ``bce_with_logits``: reference gradient, stability on large logits, cases, detectors, worked example."""

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
from engine.task import Detector, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.bce_with_logits import bce_with_logits, elementwise_bce
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

TASK_ID = "bce_with_logits"


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

def test_reference_gradient_matches_finite_differences() -> None:
    checked = 0
    for case in TASK.cases():
        a = case.calls[0].args
        if np.max(np.abs(a["logits"])) > 50:
            continue  # the large case: a step of 1e-6 on a logit of 1e3 is below its rounding
        t = a["targets"]
        _gradcheck(lambda z, t=t: bce_with_logits(z, t)[0], [a["logits"]],
                   lambda up, z, t=t: up * bce_with_logits(z, t)[1], ["logits"])
        checked += 1
    assert checked >= 6


def test_matches_the_two_softplus_terms_and_stays_finite() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        z, t = a["logits"], a["targets"]
        loss, grad = bce_with_logits(z, t)
        terms = t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)
        np.testing.assert_allclose(loss, terms.mean(), rtol=1e-12)
        assert np.all(np.isfinite(grad)) and np.isfinite(loss)
    np.testing.assert_allclose(elementwise_bce(np.array([1000.0, -1000.0]), np.array([0.0, 1.0])), [1000.0, 1000.0])


def test_the_large_case_breaks_the_naive_formula() -> None:
    a = next(c for c in TASK.cases() if c.name == "large_logits").calls[0].args
    z, t = a["logits"], a["targets"]
    with np.errstate(all="ignore"):
        p = 1.0 / (1.0 + np.exp(-z))
        naive = -np.mean(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
    assert not np.isfinite(naive)
    assert np.max(np.abs(z)) == 1000.0 and np.any((t > 0) & (t < 1))


def test_cases_have_soft_targets_and_several_shapes() -> None:
    cases = [c.calls[0].args for c in TASK.cases()]
    assert any(np.any((a["targets"] > 0) & (a["targets"] < 1)) for a in cases)
    assert {a["logits"].ndim for a in cases} >= {1, 2, 3}


def test_worked_example() -> None:
    z = np.array([[2.0, -1.0], [0.0, 3.0]])
    t = np.array([[1.0, 0.0], [0.5, 0.2]])
    loss, grad = bce_with_logits(z, t)
    _assert_in_statement(elementwise_bce(z, t), loss, grad)
