"""Small helpers the task modules share: input makers, case builders and detector helpers (the task builders are
in ``_task_builders``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from engine.task import Call, Case, Detector, DiagnosisContext, Param


def normal(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    """Float64 normal values of the given shape."""
    return rng.standard_normal(shape) * scale


def upstream(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """A random upstream gradient (never all ones, which would hide transposes and missing factors)."""
    return rng.standard_normal(shape)


def away_from_zero(rng: np.random.Generator, *shape: int, margin: float = 0.05) -> np.ndarray:
    """Normal values whose magnitude is at least ``margin`` (keeps inputs off the kink of ReLU-like functions)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * margin + x, x)


def mixed_signs(x: np.ndarray) -> np.ndarray:
    """``x`` with its first element's sign flipped if every element has the same sign (no extra draws): a small
    input that is all positive or all negative cannot tell a ReLU-like gate from its mistakes."""
    out = np.array(x, dtype=np.float64)
    if out.size > 1 and (np.all(out > 0) or np.all(out < 0)):
        out.flat[0] = -out.flat[0]
    return out


def params(*names: str, **defaults: str) -> tuple[Param, ...]:
    """Parameters in order: positional names, then keyword ones with their default written as source text."""
    return tuple(Param(n) for n in names) + tuple(Param(n, d) for n, d in defaults.items())


def pool_dims(ctx: DiagnosisContext) -> list[tuple[int, int, int, int]]:
    """A pooling call's ``(size, kernel, stride, padding)`` for height and width (no padding), for
    :func:`engine.diagnose.output_size`."""
    x, k, s = ctx.call.args["x"], int(ctx.call.args["kernel_size"]), int(ctx.call.args["stride"])
    return [(int(x.shape[axis]), k, s, 0) for axis in (2, 3)]


def overflow(outputs: tuple[str, ...], where: str, advice: str) -> Detector:
    """The first of ``outputs`` that has NaN or inf where the reference is finite: "<output> overflows to NaN or
    inf on <where>: <advice>"."""

    def detect(ctx: DiagnosisContext) -> str | None:
        for name in outputs:
            got, exp = ctx.got.get(name), ctx.expected[name]
            if got is None or got.shape != exp.shape or got.dtype.kind != "f":
                continue
            if np.any(~np.isfinite(got) & np.isfinite(exp)):
                return f"{name} overflows to NaN or inf on {where}: {advice}"
        return None

    return detect


def elementwise_cases(
    rng: np.random.Generator, task: str, inputs: list[tuple[str, np.ndarray, bool, str]], example_scale: float
) -> list[Case]:
    """Cases of an elementwise activation ``<task>_forward(x)`` and ``<task>_backward(dy, x)``: for each input
    ``(name, x, visible, what)`` a forward case, then a backward case with a fresh upstream ``dy``. The backward
    example gets its own (3, 2) input of ``example_scale``, so it is not the forward example's (2, 3) one."""
    cases = [
        Case(f"forward_{name}", (Call(f"{task}_forward", {"x": x}),), visible, description=f"forward: {what}")
        for name, x, visible, what in inputs
    ]
    for name, x, visible, what in inputs:
        x_b = x if name != "example" else normal(rng, 3, 2, scale=example_scale)
        call = Call(f"{task}_backward", {"dy": upstream(rng, *x_b.shape), "x": x_b})
        cases.append(Case(f"backward_{name}", (call,), visible, description=f"backward: {what}"))
    return cases


def zeros_like_gamma(args: dict[str, Any]) -> np.ndarray:
    """A fixed argument of a normalisation's gradient link: zeros shaped like the call's ``gamma`` (beta = 0)."""
    return np.zeros_like(np.asarray(args["gamma"], dtype=np.float64))


def ones_like_gamma(args: dict[str, Any]) -> np.ndarray:
    """Ones shaped like the call's ``gamma`` (a running variance of 1 for a gradient link)."""
    return np.ones_like(np.asarray(args["gamma"], dtype=np.float64))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)) written as 0.5 * (1 + tanh(z / 2)): no overflow for any z."""
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def call_arrays(ctx: DiagnosisContext, *names: str) -> list[np.ndarray]:
    """The failing call's arguments ``names`` as float64 arrays, in that order."""
    return [np.asarray(ctx.call.args[n], dtype=np.float64) for n in names]


def cell_inputs(
    rng: np.random.Generator, n: int, d: int, hidden: int, gates: int, cell_state: bool = False, b_hh_scale: float = 0.5
) -> dict[str, np.ndarray]:
    """The arguments of one step of a recurrent cell in torch's layout, drawn in this order: x (N, D),
    h_prev (N, H) (in (-1, 1), as a tanh output), c_prev (N, H) if ``cell_state``, W_ih (gates * H, D),
    W_hh (gates * H, H), b_ih and b_hh (gates * H,). The weights are scaled by 1/sqrt(fan-in), so every gate's
    pre-activation is of order 1: curved, not saturated."""
    args = {"x": normal(rng, n, d), "h_prev": np.tanh(normal(rng, n, hidden, scale=1.5))}
    if cell_state:
        args["c_prev"] = normal(rng, n, hidden)
    args["W_ih"] = normal(rng, gates * hidden, d, scale=1.2 / np.sqrt(d))
    args["W_hh"] = normal(rng, gates * hidden, hidden, scale=1.2 / np.sqrt(hidden))
    args["b_ih"] = normal(rng, gates * hidden, scale=0.5)
    args["b_hh"] = normal(rng, gates * hidden, scale=b_hh_scale)
    return args


def with_backward_cases(
    forward_cases: Callable[[np.random.Generator], Sequence[Case]],
    rng: np.random.Generator,
    backward: str,
    upstream_arg: str,
    upstream_shape: Callable[[Mapping[str, Any]], tuple[int, ...]],
) -> tuple[list[Case], list[Case]]:
    """A sibling forward task's cases, then the same shapes again with fresh values as cases of ``backward``, each
    with a random upstream gradient ``upstream_arg`` of ``upstream_shape(args)`` (names ``backward_...``)."""
    forward = list(forward_cases(rng))
    backward_cases = []
    for case in forward_cases(rng):
        args = dict(case.calls[0].args)
        call = Call(backward, {upstream_arg: upstream(rng, *upstream_shape(args)), **args})
        name = case.name.replace("forward_", "backward_")
        backward_cases.append(replace(case, name=name, calls=(call,), description=f"backward: {case.description}"))
    return forward, backward_cases
