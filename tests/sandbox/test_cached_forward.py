"""The (out, cache) course pattern with the cache kept in the sandbox: ``out, cache = affine_forward(x, w, b)``,
then ``dx, dw, db = affine_backward(dout, cache)`` receives the submission's own cache, whatever it holds, while
the reference replays the case with its own cache. This is what a CS231n-style pack needs (issue 17).

The task here is a demo defined in this file (not in the catalogue): CS231n's affine layer, ``w`` of shape (D, M).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from engine import Verdict
from engine.judge import judge_case
from engine.report import CaseResult
from engine.runner import Runner
from engine.sandbox import Sandbox
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Param, Ref, Task
from tests.sandbox.conftest import FAST, assert_clean, src
from tests.support.inprocess import InProcessRunner


def affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
    """x (N, D), w (D, M), b (M,) -> out (N, M) and the cache (x, w)."""
    return x @ w + b, (x, w)


def affine_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (N, M) and the forward's cache -> dx (N, D), dw (D, M), db (M,)."""
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def _transposed_dw(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("dw")
    if got is not None and got.shape == ctx.expected["dw"].T.shape and np.allclose(got, ctx.expected["dw"].T):
        return "dw is the transpose of the expected gradient"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for i, (n, d, m) in enumerate([(2, 3, 4), (1, 5, 2), (4, 3, 3)]):
        x, w, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
        dout = rng.normal(size=(n, m))
        calls = (
            Call("affine_forward", {"x": x, "w": w, "b": b}, keep={1: "cache"}),
            Call("affine_backward", {"dout": dout, "cache": Ref("cache")}),
        )
        cases.append(Case(f"layer{i}", calls, visible=i == 0, description=f"N={n}, D={d}, M={m}"))
    return cases


TASK = Task(
    id="affine_cache_demo",
    title="Affine layer with a cache (demo)",
    functions=(
        FunctionSpec("affine_forward", (Param("x"), Param("w"), Param("b")), ("out", "cache")),
        FunctionSpec("affine_backward", (Param("dout"), Param("cache")), ("dx", "dw", "db")),
    ),
    reference={"affine_forward": affine_forward, "affine_backward": affine_backward},
    make_cases=_cases,
    detectors={"affine_backward": (_transposed_dw,)},
)

CORRECT_TUPLE = """
import numpy as np

def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)

def affine_backward(dout, cache):
    x, w, b = cache
    return dout @ w.T, x.T @ dout, np.sum(dout, axis=0)
"""

CORRECT_OBJECT = """
class Saved:
    def __init__(self, **arrays):
        self.__dict__.update(arrays)
    def __eq__(self, other):
        raise RuntimeError("never compared")
    __hash__ = None

def affine_forward(x, w, b):
    return x @ w + b, Saved(x=x, w=w)

def affine_backward(dout, cache):
    return dout @ cache.w.T, cache.x.T @ dout, dout.sum(axis=0)
"""

WRONG_TRANSPOSED = """
def affine_forward(x, w, b):
    return x @ w + b, {"x": x, "w": w}

def affine_backward(dout, cache):
    return dout @ cache["w"].T, (cache["x"].T @ dout).T, dout.sum(axis=0)
"""

NO_CACHE = """
def affine_forward(x, w, b):
    return x @ w + b

def affine_backward(dout, cache):
    return dout, dout, dout
"""


def _grade(runner: Runner, source: str) -> list[CaseResult]:
    cases = TASK.cases()
    calls = [c for case in cases for c in case.calls]
    run = runner.run(source, calls, [f.name for f in TASK.functions], FAST)
    assert run.fatal_verdict is None, run.fatal_message
    results: list[CaseResult] = []
    index = 0
    for case in cases:
        part: Sequence[Any] = run.calls[index : index + len(case.calls)]
        index += len(case.calls)
        results.append(judge_case(TASK, case, part, 1.0))
    return results


@pytest.fixture(params=["sandbox", "inprocess"])
def runner(request: pytest.FixtureRequest, sandbox: Sandbox) -> Runner:
    return sandbox if request.param == "sandbox" else InProcessRunner()


@pytest.mark.parametrize("source", [CORRECT_TUPLE, CORRECT_OBJECT], ids=["tuple_cache", "object_cache"])
def test_a_correct_layer_passes_whatever_its_cache_holds(runner: Runner, source: str) -> None:
    results = _grade(runner, src(source))
    assert [r.verdict for r in results] == [Verdict.PASSED] * 3, [r.message for r in results]
    if isinstance(runner, Sandbox):
        assert_clean(runner)


def test_a_wrong_backward_is_judged_and_diagnosed(runner: Runner) -> None:
    results = _grade(runner, src(WRONG_TRANSPOSED))
    assert all(r.verdict is Verdict.WRONG_ANSWER for r in results)
    assert all("dw is the transpose" in " ".join(r.diagnoses) for r in results)
    assert all([o.name for o in r.outputs] == ["out", "dx", "dw", "db"] for r in results)  # the cache is not judged


def test_a_forward_without_a_cache_is_invalid_output(runner: Runner) -> None:
    results = _grade(runner, src(NO_CACHE))
    assert all(r.verdict is Verdict.INVALID_OUTPUT for r in results)
    assert "tuple (..., cache)" in results[0].message


def test_the_visible_example_shows_the_calls() -> None:
    case = TASK.cases()[0]
    assert [c.text() for c in case.calls] == [
        "affine_forward(x=<array (2, 3)>, w=<array (3, 4)>, b=<array (4,)>) (item 1 kept as cache)",
        "affine_backward(dout=<array (2, 4)>, cache=cache)",
    ]
