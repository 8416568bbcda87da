"""Task max_pool: the CS231n ``max_pool_forward_naive(x, pool_param) -> (out, cache)`` and
``max_pool_backward_naive(dout, cache) -> dx``.

``pool_param`` holds ``pool_height``, ``pool_width`` and ``stride``; no padding. The course defines no rule for a
tie inside a window, so no case has one (values are distinct): any valid subgradient gets the same answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.packs.gradients import ReferenceGradient
from engine.task import Case, DiagnosisContext, FunctionSpec, Task

from ._common import forward_case, layer_case, layer_gradient, params


def max_pool_forward_naive(x: np.ndarray, pool_param: dict[str, Any]) -> tuple[np.ndarray, Any]:
    """x (N, C, H, W) -> (out (N, C, H', W'), cache), H' = 1 + (H - pool_height) / stride."""
    ph, pw, s = int(pool_param["pool_height"]), int(pool_param["pool_width"]), int(pool_param["stride"])
    n, c, h, w = x.shape
    ho, wo = 1 + (h - ph) // s, 1 + (w - pw) // s
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * s:i * s + ph, j * s:j * s + pw].max(axis=(2, 3))
    return out, (x, ph, pw, s)


def max_pool_backward_naive(dout: np.ndarray, cache: Any) -> np.ndarray:
    """dout (N, C, H', W') -> dx (N, C, H, W): each window's gradient to its maximum (summed where windows overlap)."""
    x, ph, pw, s = cache
    dx: np.ndarray = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * s:i * s + ph, j * s:j * s + pw] += mask * dout[:, :, i, j][:, :, None, None]
    return dx


def _overwrites(ctx: DiagnosisContext) -> str | None:
    """Overlapping windows sharing a maximum: the gradients must add up, not overwrite each other."""
    got, dout = ctx.got.get("dx"), ctx.call.args.get("dout")
    if got is None or ctx.case is None or not isinstance(dout, np.ndarray):
        return None
    x, pool = ctx.case.calls[0].args["x"], ctx.case.calls[0].args["pool_param"]
    ph, pw, s = pool["pool_height"], pool["pool_width"], pool["stride"]
    overwritten = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            region = overwritten[:, :, i * s:i * s + ph, j * s:j * s + pw]
            window = x[:, :, i * s:i * s + ph, j * s:j * s + pw]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            region[mask] = np.broadcast_to(dout[:, :, i, j][:, :, None, None], window.shape)[mask]
    if s < max(ph, pw) and diagnose.close(got, overwritten):
        return "where overlapping windows share a maximum, their gradients must be added (+=), not overwritten"
    return None


def _distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal values, all distinct (no tie in any window)."""
    x = rng.standard_normal(shape)
    return x + np.arange(x.size).reshape(shape) * 1e-9


def _geometry() -> list[tuple[str, tuple[int, ...], dict[str, int], bool, str]]:
    return [
        ("example", (2, 3, 4, 4), {"pool_height": 2, "pool_width": 2, "stride": 2}, True, "2x2 windows, stride 2"),
        ("overlap", (2, 2, 5, 5), {"pool_height": 3, "pool_width": 3, "stride": 1}, False,
         "3x3 windows, stride 1: overlapping windows share maxima"),
        ("rect", (1, 3, 6, 4), {"pool_height": 3, "pool_width": 2, "stride": 1}, False,
         "a batch of one, 3x2 windows"),
        ("stride3", (3, 1, 9, 6), {"pool_height": 3, "pool_width": 3, "stride": 3}, False, "stride 3"),
    ]


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for name, shape, pool, visible, what in _geometry():
        args = {"x": _distinct(rng, shape), "pool_param": pool}
        cases.append(forward_case(f"forward_{name}", "max_pool_forward_naive", args, visible, f"forward: {what}"))
        x = _distinct(rng, shape)
        args = {"x": x, "pool_param": pool}
        dout = rng.standard_normal(max_pool_forward_naive(x, pool)[0].shape)
        cases.append(layer_case(f"backward_{name}", "max_pool_forward_naive", args, "max_pool_backward_naive",
                                dout, visible, f"forward then backward: {what}"))
    return cases


def GRADIENT_CHECKS(rng: np.random.Generator) -> list[ReferenceGradient]:
    # Distinct values well apart, so the finite differences never cross a tie.
    x = rng.permutation(32).reshape(1, 2, 4, 4).astype(np.float64) * 0.1
    return [layer_gradient("max_pool_backward_naive", max_pool_forward_naive, max_pool_backward_naive, {"x": x},
                           {"pool_param": {"pool_height": 2, "pool_width": 2, "stride": 1}}, ("dx",), rng)]


TASK = Task(
    id="max_pool",
    title="Naive max pooling forward and backward (CS231n layers API)",
    functions=(
        FunctionSpec("max_pool_forward_naive", params("x", "pool_param"), ("out", "cache")),
        FunctionSpec("max_pool_backward_naive", params("dout", "cache"), ("dx",)),
    ),
    reference={"max_pool_forward_naive": max_pool_forward_naive, "max_pool_backward_naive": max_pool_backward_naive},
    make_cases=_cases,
    detectors={"max_pool_backward_naive": (_overwrites,)},
)
