"""What the cs231n pack's tasks share: case builders for the course's ``(out, cache)`` API and input makers.

A layer case judges ``out`` and keeps the cache INSIDE the sandbox (it may hold anything a student likes), then
hands it to the backward::

    affine_forward(x=..., w=..., b=...)           # keep={1: "cache"}: out judged, the cache stays
    affine_backward(dout=..., cache=cache)        # (dx, dw, db): judged
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from engine.packs.gradients import ReferenceGradient
from engine.task import Call, Case, Detector, DiagnosisContext, FunctionSpec, GradientLink, Param, Ref, Task, Value

CACHE = "cache"  # the name the forward's cache is kept under


def params(*names: str, **defaults: str) -> tuple[Param, ...]:
    return tuple(Param(n) for n in names) + tuple(Param(n, d) for n, d in defaults.items())


def forward_call(forward: str, args: Mapping[str, Value]) -> Call:
    """``forward(**args) -> (out, cache)``: ``out`` judged, the cache kept in the sandbox as ``cache``."""
    return Call(forward, args, keep={1: CACHE})


def forward_case(name: str, forward: str, args: Mapping[str, Value], visible: bool, description: str) -> Case:
    """A case judging ``out`` of ``forward(**args) -> (out, cache)``."""
    return Case(name, (forward_call(forward, args),), visible, description=description)


def layer_case(
    name: str, forward: str, args: Mapping[str, Value], backward: str, dout: np.ndarray, visible: bool,
    description: str,
) -> Case:
    """A case judging ``out`` of the forward, then the backward's gradients from the forward's own cache."""
    calls = (forward_call(forward, args), Call(backward, {"dout": dout, "cache": Ref(CACHE)}))
    return Case(name, calls, visible, description=description)


def forward_args(ctx: DiagnosisContext) -> Mapping[str, Value]:
    """The arguments of the forward call of the failing call's case (a detector of ``out`` or of a backward)."""
    if ctx.call.keep:
        return ctx.call.args
    case = ctx.case
    forward = next((c for c in case.calls if c.keep), None) if case is not None else None
    return forward.args if forward is not None else {}


def layer_gradient(
    name: str, forward: Callable[..., Any], backward: Callable[..., Any], inputs: dict[str, np.ndarray],
    fixed: Mapping[str, Any], grads: tuple[str, ...], rng: np.random.Generator,
) -> ReferenceGradient:
    """A check of ``backward(dout, cache)`` against ``sum(forward(...)[0] * dout)``: ``grads`` names the
    backward's outputs in order, as ``d<input>``."""
    out, _ = forward(**inputs, **fixed)
    dout = rng.standard_normal(np.shape(out))

    def loss(**xs: np.ndarray) -> float:
        return float(np.sum(forward(**xs, **fixed)[0] * dout))

    def grad(**xs: np.ndarray) -> dict[str, np.ndarray]:
        _, cache = forward(**xs, **fixed)
        raw = backward(dout, cache)
        values = raw if isinstance(raw, tuple) else (raw,)
        return {g[1:]: v for g, v in zip(grads, values, strict=True) if g[1:] in xs}

    return ReferenceGradient(name, inputs, loss, grad)


def labels(rng: np.random.Generator, n: int, classes: int) -> np.ndarray:
    """n class labels in [0, classes), with a repeated label whenever n > 1."""
    y = rng.integers(0, classes, size=n)
    if n > 1:
        y[-1] = y[0]
    return y.astype(np.int64)


def away_from_zero(rng: np.random.Generator, *shape: int, margin: float = 0.05) -> np.ndarray:
    """Normal values at least ``margin`` from 0 (off a ReLU's kink, where any subgradient is right)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin + x, x)


# (case name, N, C, score scale, visible, what it exercises)
LossShape = tuple[str, int, int, float, bool, str]


def loss_task(
    name: str,
    title: str,
    reference: Callable[..., Any],
    shapes: list[LossShape],
    draw: Callable[[np.random.Generator, str, int, int, float], dict[str, np.ndarray]],
    detectors: tuple[Detector, ...],
) -> Task:
    """A loss of the course's API, ``name(x, y) -> (loss, dx)``: a case for each shape with the arguments
    ``draw(rng, case name, N, C, scale)`` returns, and a link that checks dx against the loss numerically."""

    def cases(rng: np.random.Generator) -> list[Case]:
        return [
            Case(case, (Call(name, draw(rng, case, n, c, scale)),), visible, description=what)
            for case, n, c, scale, visible, what in shapes
        ]

    return Task(
        id=name,
        title=title,
        functions=(FunctionSpec(name, params("x", "y"), ("loss", "dx")),),
        reference={name: reference},
        make_cases=cases,
        detectors={name: detectors},
        links=(GradientLink(name, name, {"x": 1}, forward_output=0, upstream_arg=None),),
    )
