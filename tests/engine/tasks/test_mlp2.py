"""Task ``mlp2``: reference gradients against finite differences, cases away from the kink, starter, detectors."""

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
from engine.tasks.mlp2 import KINK_MARGIN, mlp2_backward, mlp2_forward
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

TASK_ID = "mlp2"
TASK = get_task(TASK_ID)
ROOT = Path(__file__).resolve().parents[3]
TEXT_PATH = ROOT / "questions" / "tasks" / f"{TASK_ID}.toml"
SUBMISSIONS = ROOT / "tests" / "submissions" / TASK_ID
NAMES = ["x", "W1", "b1", "W2", "b2"]


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and a == b


def test_cases_are_deterministic() -> None:
    first = TASK.make_cases(np.random.default_rng(11))
    second = TASK.make_cases(np.random.default_rng(11))
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        for ca, cb in zip(a.calls, b.calls, strict=True):
            assert ca.function == cb.function and ca.args.keys() == cb.args.keys()
            assert all(_same(ca.args[k], cb.args[k]) for k in ca.args)


def test_visible_examples_come_first_and_cover_each_function() -> None:
    cases = TASK.cases()
    visible = [c for c in cases if c.visible]
    assert 1 <= len(visible) <= 2 and cases[: len(visible)] == visible
    assert {c.calls[0].function for c in visible} == {f.name for f in TASK.functions}
    assert all(c.description for c in cases)


def test_cases_keep_off_the_relu_kink_and_cover_the_shapes() -> None:
    shapes = set()
    for case in TASK.cases():
        a = case.calls[0].args
        z = a["x"] @ a["W1"].T + a["b1"]
        assert np.min(np.abs(z)) >= KINK_MARGIN, case.name
        assert np.any(z > 0) and np.any(z < 0), case.name
        n, d = a["x"].shape
        shapes.add((n, d, a["W1"].shape[0], a["W2"].shape[0]))
        if "dlogits" in a:
            assert not np.all(a["dlogits"] == 1.0)
    assert any(n == 1 for n, *_ in shapes) and any(n > 1 for n, *_ in shapes)
    assert any(h == c for _n, _d, h, c in shapes) and any(d == h for _n, d, h, _c in shapes)
    assert any(len({d, h, c}) == 3 for _n, d, h, c in shapes)


def _gradcheck_at(args: dict[str, np.ndarray], dlogits: np.ndarray) -> None:
    result = gradcheck(
        mlp2_forward,
        [args[k] for k in NAMES],
        mlp2_backward,
        names=NAMES,
        upstream=dlogits,
        atol=0.0,
        rtol=1e-7,
        raise_exception=False,
    )
    assert result.ok and result.max_rel_error <= 1e-7, result.report()


def test_reference_backward_matches_finite_differences_on_every_case() -> None:
    checked = 0
    for case in TASK.cases():
        a = case.calls[0].args
        if case.calls[0].function == "mlp2_backward":
            _gradcheck_at({k: a[k] for k in NAMES}, a["dlogits"])
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("seed", range(4))
def test_reference_backward_matches_finite_differences_on_random_inputs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, d, h, c = 3 + seed, 4, 5 + seed, 3
    while True:
        args = {
            "x": rng.standard_normal((n, d)),
            "W1": rng.standard_normal((h, d)),
            "b1": rng.standard_normal(h),
            "W2": rng.standard_normal((c, h)),
            "b2": rng.standard_normal(c),
        }
        if np.min(np.abs(args["x"] @ args["W1"].T + args["b1"])) > 0.05:  # away from the kink
            break
    _gradcheck_at(args, rng.standard_normal((n, c)))


def test_gating_by_h_equals_gating_by_z_on_the_cases() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        z = a["x"] @ a["W1"].T + a["b1"]
        assert np.array_equal(z > 0, np.maximum(z, 0) > 0)


def test_starter_defines_exactly_the_contract_signatures() -> None:
    text = TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text()))
    assert text.id == TASK_ID and text.topic == "backpropagation"
    defs = {n.name: n for n in ast.parse(text.starter).body if isinstance(n, ast.FunctionDef)}
    assert set(defs) == {f.name for f in TASK.functions}
    for spec in TASK.functions:
        node = defs[spec.name]
        assert [a.arg for a in node.args.args] == [p.name for p in spec.params]
        assert not node.args.defaults
        assert ast.get_docstring(node) and isinstance(node.body[-1], ast.Raise)


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
    assert {(fn, i) for fn, dets in original.items() for i in range(len(dets))} - fired == set()


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.glob("correct_*.py")), ids=lambda p: p.stem)
def test_each_call_of_a_correct_submission_is_fast(path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    for case in TASK.cases():
        for call in case.calls:
            started = time.perf_counter()
            namespace[call.function](**copy.deepcopy(dict(call.args)))
            assert time.perf_counter() - started < 0.5, (path.stem, case.name)


def test_worked_example_matches_the_reference() -> None:
    statement = TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text())).statement
    numbers = np.array([float(m) for m in re.findall(r"-?\d+(?:\.\d+)?", statement)])
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    W1 = np.array([[1.0, -1.0], [0.5, 1.0], [-1.0, 0.0]])
    b1 = np.array([0.5, -1.0, 0.0])
    W2 = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]])
    b2 = np.array([0.0, -0.5])
    dlogits = np.array([[1.0, -1.0], [0.5, 0.0]])
    z = x @ W1.T + b1
    values = [z, mlp2_forward(x, W1, b1, W2, b2), dlogits @ W2, *mlp2_backward(dlogits, x, W1, b1, W2, b2)]
    for v in np.concatenate([np.ravel(a) for a in values]):
        assert np.min(np.abs(numbers - v)) <= 1e-9, v


def test_mistake_switches_default_to_the_reference() -> None:
    from engine.tasks.mlp2 import _mistaken_backward

    for case in TASK.cases():
        a = case.calls[0].args
        if case.calls[0].function == "mlp2_backward":
            args = [a[k] for k in ("dlogits", *NAMES)]
            for got, want in zip(_mistaken_backward(*args), mlp2_backward(*args), strict=True):
                assert np.array_equal(got, want)
