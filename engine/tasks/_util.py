"""Small helpers the task modules share to build cases."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.task import Call, Case, DiagnosisContext, Param


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
