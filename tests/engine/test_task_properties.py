"""What every coding task must satisfy, checked for each task id: its cases, its starter, its detectors, speed.

Task-specific checks (statistical bounds, identities, worked examples, gradient checks on chosen inputs) live in
tests/engine/tasks/test_<id>.py, with the helpers of tests/engine/tasks/support.py.
"""

from __future__ import annotations

import ast
import dataclasses
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

from engine import TASK_IDS, get_task
from engine.task import CallResult, DiagnosisContext, materialise
from tests.engine.tasks.support import assert_same_cases, graded, submissions, task_text

MAX_VISIBLE = {"lstm_cell": 3}  # forward, backward with both upstreams, and backward with dc alone
MIN_HIDDEN = 5
CALL_SECONDS = 0.5  # one call of a correct submission
TOTAL_SECONDS = 2.0  # all the case calls of one correct submission
NEG_INF_OUTPUTS = {"top_k_top_p_filter"}  # tasks whose outputs mark dropped entries with -inf by contract

pytestmark = pytest.mark.parametrize("task_id", TASK_IDS)


def _arrays(value: Any) -> list[np.ndarray]:
    if isinstance(value, tuple | list):
        return [a for v in value for a in _arrays(v)]
    return [np.asarray(value)]


def test_cases_are_deterministic(task_id: str) -> None:
    task = get_task(task_id)
    assert_same_cases(task.make_cases(np.random.default_rng(11)), task.make_cases(np.random.default_rng(11)))
    fresh = dataclasses.replace(task, _cases=None, _expected=OrderedDict())
    assert_same_cases(fresh.cases(), task.cases())


def test_visible_examples_come_first_and_cover_each_function(task_id: str) -> None:
    task = get_task(task_id)
    cases = task.cases()
    visible = [c for c in cases if c.visible]
    assert 1 <= len(visible) <= MAX_VISIBLE.get(task_id, 2)
    assert cases[: len(visible)] == visible
    assert {c.calls[0].function for c in visible} == {f.name for f in task.functions}
    assert all(c.description for c in cases)
    assert len(cases) - len(visible) >= MIN_HIDDEN


def test_reference_outputs_are_finite(task_id: str) -> None:
    """Finite outputs from finite inputs (a call given inf or NaN on purpose, an overflowed gradient for a loss
    scaler, may pass them on: the comparison then demands the same inf or NaN)."""
    task = get_task(task_id)
    for case in task.cases():
        for call in case.calls:
            given = [a for v in call.args.values() for a in _arrays(v) if a.dtype.kind == "f"]
            if not all(np.all(np.isfinite(a)) for a in given):
                continue
            if call.uses_objects:  # an object case: the reference replays the case's script
                out: Any = tuple(task.expected_outputs(call).values())
            else:
                out = task.reference[call.function](**{k: materialise(v) for k, v in call.args.items()})
            for value in _arrays(out):
                finite = np.isfinite(value) | (np.isneginf(value) if task_id in NEG_INF_OUTPUTS else False)
                assert value.dtype.kind in "biu" or np.all(finite), (case.name, call.function)


def test_upstream_gradients_are_never_all_ones(task_id: str) -> None:
    """All-ones upstream gradients hide transposes, missing factors and ignored upstreams."""
    task = get_task(task_id)
    upstream = {arg for link in task.links for _, arg in link.upstream_pairs() if arg is not None}
    for case in task.cases():
        for call in case.calls:
            for name, value in call.args.items():
                if isinstance(value, np.ndarray) and (name in upstream or name.startswith("d")):
                    assert not np.all(value == 1.0), (case.name, name)


def test_starter_defines_exactly_the_contract_signatures(task_id: str) -> None:
    task = get_task(task_id)
    text = task_text(task_id)
    assert text.id == task_id
    assert "import numpy as np" in text.starter
    tree = ast.parse(text.starter)
    assert any(isinstance(n, ast.Import) and n.names[0].name == "numpy" for n in tree.body)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    assert set(defs) == {f.name for f in task.functions}
    for spec in task.functions:
        node = defs[spec.name]
        assert ast.get_docstring(node), spec.name
        if isinstance(node, ast.ClassDef):  # a class-based task: its constructor's parameters, every method to write
            _assert_class_starter(node, spec)
            continue
        args = node.args
        assert not (args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg), spec.name
        assert [a.arg for a in args.args] == [p.name for p in spec.params], spec.name
        given: list[object] = [None] * (len(args.args) - len(args.defaults))
        given += [ast.literal_eval(d) for d in args.defaults]
        wanted = [None if p.default is None else ast.literal_eval(p.default) for p in spec.params]
        assert given == wanted, spec.name
        last = node.body[-1]
        assert isinstance(last, ast.Raise) and "NotImplementedError" in ast.unparse(last), spec.name


def _assert_class_starter(node: ast.ClassDef, spec: Any) -> None:
    methods = {n.name: n for n in node.body if isinstance(n, ast.FunctionDef)}
    init = methods.pop("__init__")
    assert [a.arg for a in init.args.args] == ["self", *(p.name for p in spec.params)], spec.name
    assert methods and all(
        isinstance(m.body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(m.body[-1]) for m in methods.values()
    ), spec.name


def test_every_detector_fires_on_a_known_wrong_submission(task_id: str) -> None:
    task = get_task(task_id)
    assert len(submissions(task_id, "wrong")) >= 3
    every = {(fn, i) for fn, dets in task.detectors.items() for i in range(len(dets))}
    assert every - graded(task_id).fired == set()


def test_no_detector_speaks_on_the_reference(task_id: str) -> None:
    """Every detector stays silent when fed the reference outputs themselves (no false diagnosis)."""
    task = get_task(task_id)
    if not task.detectors:
        return
    for case in task.cases():
        results = [CallResult(c, value=_reference_value(task, c)) for c in case.calls]
        for call, result in zip(case.calls, results, strict=True):
            expected = task.expected_outputs(call)
            ctx = DiagnosisContext(task, call, dict(expected), expected, result, case, results)
            for detector in task.detectors.get(task.spec_for(call).name, ()):
                assert detector(ctx) is None, (case.name, detector)


def _reference_value(task: Any, call: Any) -> object:
    """What a submission identical to the reference returns for a call (None where nothing is compared)."""
    outputs = list(task.expected_outputs(call).values())
    if not outputs:
        return None
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def test_each_call_of_a_correct_submission_is_fast(task_id: str) -> None:
    calls = sum(len(c.calls) for c in get_task(task_id).cases())
    for path in submissions(task_id, "correct"):
        seconds = graded(task_id).call_seconds[path]
        assert len(seconds) == calls, path.stem
        for function, s in seconds:
            assert s < CALL_SECONDS, (path.stem, function, s)
        assert sum(s for _, s in seconds) < TOTAL_SECONDS, path.stem
