"""Small helpers the task modules share to build cases."""

from __future__ import annotations

import numpy as np

from engine.task import DiagnosisContext, Param


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
