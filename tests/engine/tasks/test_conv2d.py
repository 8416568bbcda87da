"""Task ``conv2d``: reference gradients, cases, starter signatures and detectors."""

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
from engine.tasks.conv2d import conv2d_backward, conv2d_forward
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

TASK_ID = "conv2d"
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


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "padding"),
    [
        ((2, 2, 5, 4), (3, 2, 3, 2), 1, 0),
        ((1, 3, 5, 6), (2, 3, 3, 3), 1, 1),
        ((2, 2, 7, 6), (3, 2, 3, 3), 2, 0),
        ((2, 3, 6, 7), (2, 3, 3, 2), 2, 1),
        ((1, 2, 7, 5), (2, 2, 2, 3), 3, 2),
        ((2, 2, 5, 4), (3, 2, 1, 1), 2, 0),
    ],
)
def test_backward_matches_finite_differences(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: int, padding: int
) -> None:
    rng = np.random.default_rng(sum(x_shape) + 10 * stride + padding)
    x, W, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    _gradcheck(
        lambda x, W, b: conv2d_forward(x, W, b, stride=stride, padding=padding),
        [x, W, b],
        lambda up, x, W, b: conv2d_backward(up, x, W, b, stride=stride, padding=padding),
        ["x", "W", "b"],
    )


def test_forward_matches_a_direct_sum() -> None:
    rng = np.random.default_rng(5)
    x, W, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    stride, padding = 2, 1
    y = conv2d_forward(x, W, b, stride=stride, padding=padding)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    assert y.shape == (2, 4, (6 + 2 - 3) // 2 + 1, (5 + 2 - 2) // 2 + 1)
    for n, f, i, j in np.ndindex(*y.shape):
        window = xp[n, :, i * stride : i * stride + 3, j * stride : j * stride + 2]
        assert abs(y[n, f, i, j] - (np.sum(window * W[f]) + b[f])) < 1e-12


def test_uncovered_positions_get_zero_gradient() -> None:
    rng = np.random.default_rng(6)
    x, W, b = rng.standard_normal((1, 1, 8, 8)), rng.standard_normal((1, 1, 3, 3)), rng.standard_normal(1)
    dy = rng.standard_normal((1, 1, 3, 3))  # (8 - 3) // 2 + 1 = 3: row 7 and column 7 are never read
    dx = conv2d_backward(dy, x, W, b, stride=2)[0]
    assert np.all(dx[..., 7, :] == 0.0) and np.all(dx[..., :, 7] == 0.0)
    assert np.all(dx[..., :7, :7] != 0.0)


def test_cases_cover_stride_padding_and_shapes() -> None:
    combos = set()
    floors = False
    for case in TASK.cases():
        a = case.calls[0].args
        s, p = a.get("stride", 1), a.get("padding", 0)
        h, w = a["x"].shape[2:]
        kh, kw = a["W"].shape[2:]
        assert h + 2 * p >= kh and w + 2 * p >= kw
        combos.add((s, p))
        floors |= (h + 2 * p - kh) % s != 0 or (w + 2 * p - kw) % s != 0
    assert {(1, 0), (1, 1), (2, 0), (2, 1)} <= combos and floors
    kernels = {c.calls[0].args["W"].shape[2:] for c in TASK.cases()}
    assert any(kh != kw for kh, kw in kernels)
    batches = {c.calls[0].args["x"].shape[0] for c in TASK.cases()}
    assert 1 in batches and max(batches) > 1


def _context(function: str, args: dict[str, Any], got: dict[str, Any]) -> DiagnosisContext:
    call = Call(function, args)
    return DiagnosisContext(TASK, call, got, TASK.expected_outputs(call), CallResult(call))


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda dy: dy.sum(axis=0), "db is summed over the batch but not over the output positions"),
        (lambda dy: dy, "db is not summed"),
        (lambda dy: dy.mean(axis=(0, 2, 3)), "db is averaged"),
        (lambda dy: dy.sum(axis=(0, 2, 3)) / dy.shape[0], "db is divided by the batch size"),
    ],
)
def test_db_detector_names_each_reduction_mistake(make: Any, text: str) -> None:
    rng = np.random.default_rng(8)
    x, W, b = rng.standard_normal((3, 2, 5, 5)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    dy = rng.standard_normal((3, 4, 3, 3))
    args = {"dy": dy, "x": x, "W": W, "b": b}
    expected = TASK.expected_outputs(Call("conv2d_backward", args))
    ctx = _context("conv2d_backward", args, {"dx": expected["dx"], "dW": expected["dW"], "db": make(dy)})
    found = [d(ctx) for d in TASK.detectors["conv2d_backward"]]
    assert any(f and text in f for f in found), found


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
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    W, b = np.array([[[[1.0, 2.0], [0.0, -1.0]]]]), np.array([0.5])
    _assert_in_statement(conv2d_forward(x, W, b), conv2d_forward(x, W, b, stride=2, padding=1))
    _assert_in_statement(*conv2d_backward(np.array([[[[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]]]), x, W, b))
