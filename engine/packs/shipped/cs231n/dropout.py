"""Task dropout: the CS231n ``dropout_forward(x, dropout_param) -> (out, cache)`` and
``dropout_backward(dout, cache) -> dx``, inverted dropout with the course's ``p``: the probability of KEEPING a unit.

``dropout_param`` holds ``p``, ``mode`` ("train"/"test") and a ``seed``. The judge does not demand one random
stream: in train mode every value must be either dropped (0) or kept and divided by p, about a fraction p kept
(within 6 standard deviations), the same seed must give the same mask, and the backward must use the forward's
mask. Test mode returns x unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.report import OutputCheck
from engine.task import Call, CallResult, Case, FunctionSpec, Judgement, Ref, Task

from ._common import CACHE, away_from_zero, forward_call, params

SIGMAS = 6.0


def dropout_forward(x: np.ndarray, dropout_param: dict[str, Any]) -> tuple[np.ndarray, Any]:
    """x (any shape) -> (out, cache); train: x * mask / p with mask ~ Bernoulli(p) from the seed."""
    p, mode = dropout_param["p"], dropout_param["mode"]
    if mode != "train":
        return x.copy(), (dropout_param, None)
    rng = np.random.RandomState(dropout_param.get("seed"))
    mask = (rng.rand(*x.shape) < p) / p
    return x * mask, (dropout_param, mask)


def dropout_backward(dout: np.ndarray, cache: Any) -> np.ndarray:
    """dout (shape of x) -> dx = dout * mask (train) or dout (test)."""
    _param, mask = cache
    out: np.ndarray = dout if mask is None else dout * mask
    return out


def _value(result: CallResult) -> np.ndarray | None:
    """The array a call returned (a forward's ``out``: the first item, its cache being kept in the sandbox)."""
    v = result.value[0] if result.call.keep and isinstance(result.value, tuple) else result.value
    return v if isinstance(v, np.ndarray) and v.dtype.kind == "f" else None


def _fail(name: str, message: str, diagnosis: str | None = None) -> Judgement:
    return Judgement(ok=False, checks=[OutputCheck(name=name, ok=False, message=message)],
                     diagnoses=[diagnosis] if diagnosis else [], message=message)


def _train_out(x: np.ndarray, p: float, out: np.ndarray | None) -> Judgement | np.ndarray:
    """The 0/1 keep mask the forward used, or the judgement of why ``out`` is not inverted dropout of x."""
    if out is None or out.shape != x.shape:
        return _fail("out", f"out must be a float array of x's shape {x.shape}")
    kept: np.ndarray = ~np.isclose(out, 0.0, rtol=0, atol=1e-12)
    if not np.allclose(out[kept], x[kept] / p, rtol=1e-6, atol=1e-9):
        if np.allclose(out[kept], x[kept] / (1 - p), rtol=1e-6, atol=1e-9):
            why = "kept values are divided by 1 - p: in this course p is the probability of KEEPING a unit"
        elif np.allclose(out[kept], x[kept], rtol=1e-6, atol=1e-9):
            why = "kept values are not divided by p: inverted dropout scales them by 1 / p at train time"
        else:
            why = "out is not x / p where kept and 0 where dropped"
        return _fail("out", why, why)
    n, k = x.size, int(kept.sum())
    if abs(k - p * n) > SIGMAS * np.sqrt(n * p * (1 - p)) + 1:
        flipped = abs(k - (1 - p) * n) <= SIGMAS * np.sqrt(n * p * (1 - p)) + 1
        why = (f"{k} of {n} values kept with p = {p}: in this course p is the probability of KEEPING a unit"
               if flipped else f"{k} of {n} values kept, far from a fraction p = {p}")
        return _fail("out", why, why)
    return kept


def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
    """Train cases: forward (out judged, cache kept), backward, then a second forward with the same seed."""
    first = case.calls[0].args
    x, param = first["x"], first["dropout_param"]
    out = _value(results[0])
    if param["mode"] != "train":
        if out is None or out.shape != x.shape or not np.allclose(out, x, rtol=1e-9, atol=0):
            return _fail("out", "test mode returns x unchanged (inverted dropout needs no scaling at test time)",
                         "in test mode out must be x itself: the 1 / p scaling happens at train time")
        return Judgement(ok=True, checks=[OutputCheck(name="out", ok=True, rel_error=0.0)])
    kept = _train_out(x, float(param["p"]), out)
    if isinstance(kept, Judgement) or out is None:
        return kept if isinstance(kept, Judgement) else _fail("out", "no output")
    dout = case.calls[1].args["dout"]
    dx = _value(results[1])
    if dx is None or dx.shape != x.shape or not np.allclose(dx, dout * kept / param["p"], rtol=1e-6, atol=1e-9):
        why = "dx must be dout times the forward's own mask (dropped: 0, kept: 1 / p)"
        return _fail("dx", why, why)
    again = _value(results[2])
    if again is None or again.shape != x.shape or not np.array_equal(again, out):
        why = "the same dropout_param['seed'] gave a different mask: seed NumPy with it before drawing"
        return _fail("out", why, why)
    checks = [OutputCheck(name=n, ok=True, rel_error=0.0) for n in ("out", "dx")]
    return Judgement(ok=True, checks=checks)


def _train_case(rng: np.random.Generator, name: str, shape: tuple[int, ...], p: float, visible: bool) -> Case:
    x = away_from_zero(rng, *shape)
    param = {"mode": "train", "p": p, "seed": int(rng.integers(0, 2**31))}
    calls = (
        forward_call("dropout_forward", {"x": x, "dropout_param": param}),
        Call("dropout_backward", {"dout": rng.standard_normal(shape), "cache": Ref(CACHE)}),
        Call("dropout_forward", {"x": x, "dropout_param": dict(param)}, keep={1: "again"}),
    )
    return Case(name, calls, visible, description=f"train mode, p = {p} (keep), x {shape}, run twice with one seed")


def _cases(rng: np.random.Generator) -> list[Case]:
    x = away_from_zero(rng, 4, 5)
    test = (forward_call("dropout_forward", {"x": x, "dropout_param": {"mode": "test", "p": 0.6}}),)
    return [
        _train_case(rng, "example", (20, 30), 0.5, True),
        _train_case(rng, "keep_most", (25, 40), 0.8, False),
        _train_case(rng, "keep_few", (10, 10, 12), 0.3, False),
        Case("test_mode", test, description="test mode: x unchanged"),
    ]


TASK = Task(
    id="dropout",
    title="Inverted dropout, train and test mode (CS231n layers API)",
    functions=(
        FunctionSpec("dropout_forward", params("x", "dropout_param"), ("out", "cache")),
        FunctionSpec("dropout_backward", params("dout", "cache"), ("dx",)),
    ),
    reference={"dropout_forward": dropout_forward, "dropout_backward": dropout_backward},
    make_cases=_cases,
    custom_judge=judge,
)
