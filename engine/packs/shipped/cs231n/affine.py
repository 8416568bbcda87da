"""Task affine: the CS231n ``affine_forward(x, w, b) -> (out, cache)`` and ``affine_backward(dout, cache)``.

x is (N, d_1, ..., d_k), reshaped to (N, D) with D = d_1 * ... * d_k; w is (D, M); b is (M,); out is (N, M).
The backward returns (dx, dw, db) with dx in x's own shape. The student's cache stays in the sandbox.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.packs.gradients import ReferenceGradient
from engine.task import Case, DiagnosisContext, FunctionSpec, Task

from ._common import forward_args, forward_case, layer_case, layer_gradient, params


def affine_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, Any]:
    """x (N, d1..dk), w (D, M), b (M,) -> (out (N, M), cache)."""
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x, w, b)


def affine_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (N, M) and the forward's cache -> (dx in x's shape, dw (D, M), db (M,))."""
    x, w, _b = cache
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.sum(axis=0)


def _dx_flat(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    flat = got is not None and got.shape != exp.shape and got.size == exp.size
    if flat and got is not None and diagnose.close(got.reshape(exp.shape), exp):
        return "dx keeps the flattened (N, D) shape: reshape it back to the shape of x"
    return None


def _dw_from_unreshaped(ctx: DiagnosisContext) -> str | None:
    x = forward_args(ctx).get("x")
    got = ctx.got.get("dw")
    exp = ctx.expected["dw"]
    if got is not None and isinstance(x, np.ndarray) and x.ndim > 2 and got.shape not in (exp.shape, exp.T.shape):
        return "dw does not have w's shape (D, M): use x reshaped to (N, D) in dw = x2d.T @ dout"
    return None


def _shapes(rng: np.random.Generator) -> list[tuple[str, tuple[int, ...], int, bool, str]]:
    return [
        ("example", (2, 4), 3, True, "x (2, 4), w (4, 3)"),
        ("image", (3, 2, 3, 2), 5, False, "x (3, 2, 3, 2) flattened to (3, 12), w (12, 5)"),
        ("batch1", (1, 6), int(rng.integers(2, 6)), False, "a batch of one"),
        ("wide", (4, 3, 5), 7, False, "x (4, 3, 5), more outputs than inputs per row"),
    ]


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for name, shape, m, visible, what in _shapes(rng):
        d = int(np.prod(shape[1:]))
        args = {"x": rng.standard_normal(shape), "w": rng.standard_normal((d, m)), "b": rng.standard_normal(m)}
        cases.append(forward_case(f"forward_{name}", "affine_forward", args, visible, f"forward: {what}"))
        args = {"x": rng.standard_normal(shape), "w": rng.standard_normal((d, m)), "b": rng.standard_normal(m)}
        dout = rng.standard_normal((shape[0], m))
        cases.append(layer_case(f"backward_{name}", "affine_forward", args, "affine_backward", dout, visible,
                                f"forward then backward from its cache: {what}"))
    return cases


def GRADIENT_CHECKS(rng: np.random.Generator) -> list[ReferenceGradient]:
    inputs = {"x": rng.standard_normal((3, 2, 2)), "w": rng.standard_normal((4, 5)), "b": rng.standard_normal(5)}
    return [layer_gradient("affine_backward", affine_forward, affine_backward, inputs, {}, ("dx", "dw", "db"), rng)]


TASK = Task(
    id="affine",
    title="Affine layer forward and backward (CS231n layers API)",
    functions=(
        FunctionSpec("affine_forward", params("x", "w", "b"), ("out", "cache")),
        FunctionSpec("affine_backward", params("dout", "cache"), ("dx", "dw", "db")),
    ),
    reference={"affine_forward": affine_forward, "affine_backward": affine_backward},
    make_cases=_cases,
    detectors={
        "affine_backward": (
            _dx_flat,
            _dw_from_unreshaped,
            diagnose.transposed("dw"),
            diagnose.not_summed("db"),
            diagnose.scaled("db"),
        ),
    },
)
