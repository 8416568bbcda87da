"""Task ``attention``: reference gradients, masks, cases, starter signatures and detectors."""

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
from engine.task import Call, CallResult, Detector, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.attention import _weights, attention_backward, attention_forward
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

TASK_ID = "attention"
TASK = get_task(TASK_ID)
ROOT = Path(__file__).resolve().parents[3]
TEXT_PATH = ROOT / "questions" / "tasks" / f"{TASK_ID}.toml"
SUBMISSIONS = ROOT / "tests" / "submissions" / TASK_ID


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
    assert 1 <= len(visible) <= len(TASK.functions)
    assert cases[: len(visible)] == visible
    assert {c.calls[0].function for c in visible} == {f.name for f in TASK.functions}
    assert all(c.description for c in cases)


def test_reference_outputs_are_finite_and_inputs_never_all_ones() -> None:
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


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.glob("correct_*.py")), ids=lambda p: p.stem)
def test_each_call_of_a_correct_submission_is_fast(path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    for case in TASK.cases():
        for call in case.calls:
            started = time.perf_counter()
            namespace[call.function](**{k: copy.deepcopy(v) for k, v in call.args.items()})
            assert time.perf_counter() - started < 0.5, (path.stem, case.name)


def _gradcheck(f: Any, inputs: list[np.ndarray], grad_fn: Any, names: list[str], **kwargs: Any) -> None:
    result = gradcheck(f, inputs, grad_fn, names=names, atol=0.0, rtol=1e-7, raise_exception=False, **kwargs)
    assert result.ok and result.max_rel_error <= 1e-7, result.report()


def _causal(lq: int, lk: int) -> np.ndarray:
    return np.arange(lk)[None, :] <= np.arange(lq)[:, None] + (lk - lq)


@pytest.mark.parametrize(
    ("lead", "lq", "lk", "d", "dv", "mask"),
    [
        ((), 3, 5, 4, 2, None),
        ((2,), 4, 3, 8, 5, None),
        ((2, 3), 3, 6, 4, 3, None),
        ((2,), 5, 5, 4, 3, _causal(5, 5)),
        ((2, 2), 3, 5, 6, 4, _causal(3, 5)),
        ((3,), 4, 6, 4, 5, np.array([[[True] * 6], [[True] * 2 + [False] * 4], [[True] * 5 + [False]]])),
        ((), 4, 5, 3, 3, np.array([True, False, True, False, True])),
    ],
)
def test_backward_matches_finite_differences(
    lead: tuple[int, ...], lq: int, lk: int, d: int, dv: int, mask: np.ndarray | None
) -> None:
    rng = np.random.default_rng(lq * 100 + lk * 10 + d)
    Q, K = rng.standard_normal((*lead, lq, d)), rng.standard_normal((*lead, lk, d))
    V = rng.standard_normal((*lead, lk, dv))
    _gradcheck(
        lambda Q, K, V: attention_forward(Q, K, V, mask),
        [Q, K, V],
        lambda up, Q, K, V: attention_backward(up, Q, K, V, mask),
        ["Q", "K", "V"],
    )


def test_masked_weights_are_exactly_zero_and_large_scores_stay_finite() -> None:
    Q = np.array([[1.0, 0.0], [0.0, 2.0]]) * 700.0
    K = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    mask = np.array([[True, False, False], [True, True, False]])
    out = attention_forward(Q, K, V, mask)
    np.testing.assert_array_equal(out[0], V[0])
    assert np.all(np.isfinite(out))
    dQ, dK, dV = attention_backward(np.ones_like(out), Q, K, V, mask)
    assert all(np.all(np.isfinite(g)) for g in (dQ, dK, dV))
    assert np.all(dV[2] == 0.0)  # no query attends to key 2


def test_cases_cover_masks_shapes_and_large_scores() -> None:
    kinds, largest = set(), 0.0
    for case in TASK.cases():
        a = case.calls[0].args
        Q, K, V = a["Q"], a["K"], a["V"]
        scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
        largest = max(largest, float(np.abs(scores).max()))
        assert float(np.abs(scores).max()) <= 1e3 + 1e-9
        mask = a.get("mask")
        if mask is not None:
            assert mask.dtype == bool and mask.ndim <= scores.ndim
            assert np.broadcast_to(mask, scores.shape).any(axis=-1).all(), case.name
            kinds.add(mask.ndim < scores.ndim)
        kinds.add(("lq_ne_lk", Q.shape[-2] != K.shape[-2]))
        kinds.add(("d_ne_dv", Q.shape[-1] != V.shape[-1]))
        kinds.add(("lead", Q.ndim))
    assert {True, ("lq_ne_lk", True), ("d_ne_dv", True), ("lead", 2), ("lead", 3), ("lead", 4)} <= kinds
    assert largest >= 999.0


def _ctx(got: np.ndarray, **args: Any) -> DiagnosisContext:
    call = Call("attention_forward", args)
    return DiagnosisContext(TASK, call, {"out": got}, TASK.expected_outputs(call), CallResult(call))


@pytest.mark.parametrize(
    ("scale", "text"),
    [
        (1.0, "the scores are not scaled"),
        (0.125, "the scores are divided by d;"),
        (np.sqrt(8.0), "the scores are multiplied by sqrt(d)"),
        (1 / np.sqrt(5.0), "the scores are divided by sqrt(dv)"),
    ],
)
def test_scale_detector_names_each_scaling_mistake(scale: float, text: str) -> None:
    rng = np.random.default_rng(2)
    Q, K, V = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 3, 5))
    got = _weights(Q, K, None, scale=scale) @ V
    found = [d(_ctx(got, Q=Q, K=K, V=V)) for d in TASK.detectors["attention_forward"]]
    assert any(f and text in f for f in found), found


def test_overflow_detector_ignores_nan_from_fully_masked_rows() -> None:
    rng = np.random.default_rng(4)
    Q, K, V = rng.standard_normal((3, 4)) * 30, rng.standard_normal((4, 4)) * 30, rng.standard_normal((4, 2))
    mask = _causal(3, 4)
    expected = attention_forward(Q, K, V, mask)
    got = expected.copy()
    got[2] = np.nan  # as an inverted mask leaves the last row with nothing to attend to
    found = [d(_ctx(got, Q=Q, K=K, V=V, mask=mask)) for d in TASK.detectors["attention_forward"]]
    assert not any(f and "NaN or inf" in f for f in found), found


def _statement_numbers() -> list[float]:
    text = TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text())).statement
    return [float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def _assert_in_statement(*arrays: Any) -> None:
    """Every value the reference gives for the worked example appears in the statement (to 4 decimals)."""
    numbers = np.array(_statement_numbers())
    for a in arrays:
        for v in np.ravel(np.asarray(a, dtype=np.float64)):
            assert np.min(np.abs(numbers - v)) <= 6e-5, v


def test_worked_example_matches_the_reference() -> None:
    Q = np.array([[1.0, 0.0], [0.0, 2.0]])
    K = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    mask = np.array([[True, False, False], [True, True, False]])
    _assert_in_statement(Q @ K.T / np.sqrt(2.0), _weights(Q, K, None), attention_forward(Q, K, V))
    _assert_in_statement(_weights(Q, K, mask), attention_forward(Q, K, V, mask))
