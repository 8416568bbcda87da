"""Task ``loss_scaler_step``: one step of a dynamic loss scaler for mixed precision (torch.amp.GradScaler's rules).

The gradients arrive multiplied by ``scale``. They are always unscaled (divided by ``scale``, as GradScaler.unscale_
does, infinities and NaN staying what they are). If any of them is inf or NaN the step is skipped, the scale backs
off (times backoff_factor) and the count of successful steps restarts at 0. Otherwise the count goes up by one and,
when it reaches growth_interval, the scale grows (times growth_factor) and the count restarts at 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params


def loss_scaler_step(
    grads: np.ndarray,
    scale: float,
    growth_tracker: int,
    growth_factor: float = 2.0,
    backoff_factor: float = 0.5,
    growth_interval: int = 2000,
) -> tuple[np.ndarray, float, int, bool]:
    """grads (any shape, scaled), scale > 0, growth_tracker >= 0 -> (grads / scale, new scale, new tracker, skipped)."""
    unscaled: np.ndarray = np.asarray(grads, dtype=np.float64) / scale
    if not np.all(np.isfinite(unscaled)):
        return unscaled, scale * backoff_factor, 0, True
    successful = growth_tracker + 1
    if successful == growth_interval:
        return unscaled, scale * growth_factor, 0, False
    return unscaled, scale, successful, False


# ---------------------------------------------------------------------------------------------------- detectors


def _settings(ctx: DiagnosisContext) -> tuple[np.ndarray, float, int, float, float, int]:
    a = ctx.call.args
    return (
        np.asarray(a["grads"], dtype=np.float64),
        float(a["scale"]),
        int(a["growth_tracker"]),
        float(a.get("growth_factor", 2.0)),
        float(a.get("backoff_factor", 0.5)),
        int(a.get("growth_interval", 2000)),
    )


def _scalar(ctx: DiagnosisContext, name: str) -> float | None:
    got = ctx.got.get(name)
    if got is None or got.size != 1 or got.dtype.kind not in "fiub":
        return None
    return float(got.reshape(()))


def _same(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)


def _overflow_step(ctx: DiagnosisContext) -> str | None:
    """On a step with inf or NaN: the scale did not back off, or grew."""
    g, scale, _tracker, grow, back, _interval = _settings(ctx)
    if np.all(np.isfinite(g)) or _missed(ctx):
        return None
    new = _scalar(ctx, "scale")
    if _same(new, scale * grow):
        return "scale grows on an overflow step: when a gradient is inf or NaN, multiply the scale by backoff_factor"
    if _same(new, scale) and back != 1.0:
        return "scale does not back off on an overflow step: multiply it by backoff_factor when a gradient is inf/NaN"
    return None


def _not_detected(ctx: DiagnosisContext) -> str | None:
    """A step with inf or NaN was taken as a good one (the other detectors then stay quiet about its state)."""
    g = np.asarray(ctx.call.args["grads"], dtype=np.float64)
    if np.all(np.isfinite(g)) or _scalar(ctx, "skipped") != 0.0:
        return None
    if not np.any(np.isinf(g)):
        return "NaN gradients are not caught: np.isinf misses NaN; test np.isfinite (inf and NaN both skip the step)"
    return "an overflow is not detected: any inf, -inf or NaN gradient makes skipped True"


def _missed(ctx: DiagnosisContext) -> bool:
    g = np.asarray(ctx.call.args["grads"], dtype=np.float64)
    return not np.all(np.isfinite(g)) and _scalar(ctx, "skipped") == 0.0


def _tracker(ctx: DiagnosisContext) -> str | None:
    """The count of successful steps is not reset (after an overflow or after growing) or is counted late."""
    g, scale, tracker, grow, _back, interval = _settings(ctx)
    got = _scalar(ctx, "growth_tracker")
    expected = int(ctx.expected["growth_tracker"])
    if got is None or got == expected or _missed(ctx):
        return None
    if not np.all(np.isfinite(g)):
        if got in (tracker, tracker + 1):
            return "growth_tracker is not reset on an overflow step: an inf or NaN restarts the count at 0"
        return None
    if tracker + 1 >= interval and got == tracker + 1 and _same(_scalar(ctx, "scale"), scale * grow):
        return "growth_tracker is not reset when the scale grows: it restarts at 0 after each growth"
    return None


def _growth(ctx: DiagnosisContext) -> str | None:
    """On a finite step the scale grew before growth_interval successful steps, or did not grow at it."""
    g, scale, tracker, grow, _back, interval = _settings(ctx)
    if not np.all(np.isfinite(g)):
        return None
    new = _scalar(ctx, "scale")
    should_grow = tracker + 1 >= interval
    if not should_grow and _same(new, scale * grow):
        return (
            "the scale grows on a successful step before growth_interval of them in a row: it grows only when"
            " growth_tracker + 1 reaches growth_interval"
        )
    if should_grow and _same(new, scale):
        return (
            "the scale does not grow after growth_interval successful steps in a row (one step late?): count this"
            " step first, then grow when growth_tracker + 1 reaches growth_interval"
        )
    return None


def _unscaled_by_multiplication(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("grads")
    g, scale = _settings(ctx)[:2]
    if got is None or got.shape != g.shape or got.dtype.kind != "f":
        return None
    finite = np.isfinite(g)
    if not finite.any():
        return None
    with np.errstate(all="ignore"):
        model, out = g[finite] * scale, got[finite].astype(np.float64)
        if np.allclose(out, model, rtol=1e-6, atol=0.0) and not np.allclose(model, g[finite] / scale, rtol=1e-6):
            return "grads are multiplied by the scale: unscale them by dividing by scale (or multiplying by 1 / scale)"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def _call(grads: np.ndarray, scale: float, tracker: int, **kw: Any) -> Call:
    return Call("loss_scaler_step", {"grads": grads, "scale": scale, "growth_tracker": tracker, **kw})


def _scaled_grads(rng: np.random.Generator, scale: float, *shape: int) -> np.ndarray:
    return normal(rng, *shape, scale=1e-3) * scale


def _with(rng: np.random.Generator, g: np.ndarray, value: float, count: int = 1) -> np.ndarray:
    out = g.copy()
    out.flat[rng.choice(out.size, size=count, replace=False)] = value
    return out


def _sequence(rng: np.random.Generator, overflow_at: set[int], steps: int, **kw: Any) -> tuple[Call, ...]:
    """A run of consecutive steps from scale 1024, each call's state being the reference's output of the one before."""
    scale, tracker = 1024.0, 0
    calls = []
    for i in range(steps):
        g = _scaled_grads(rng, scale, 3, 2)
        if i in overflow_at:
            g = _with(rng, g, float(rng.choice([np.inf, -np.inf, np.nan])))
        call = _call(g, scale, tracker, **kw)
        calls.append(call)
        _, scale, tracker, _ = loss_scaler_step(g, scale, tracker, **kw)
    return tuple(calls)


def _cases(rng: np.random.Generator) -> list[Case]:
    s = 65536.0
    interval = int(rng.integers(5, 50))
    cases = [
        Case("example", (_call(_scaled_grads(rng, s, 2, 3), s, 5),), True,
             description="finite gradients, scale 65536, 5 successful steps so far: unscale and count"),
        Case("overflow_inf", (_call(_with(rng, _scaled_grads(rng, s, 4, 3), np.inf), s, 1500),),
             description="one gradient is +inf after 1500 successful steps: skip, back off, restart the count"),
        Case("overflow_nan", (_call(_with(rng, _scaled_grads(rng, s, 7), np.nan, 2), s, 12),),
             description="two gradients are NaN (no inf): skip, back off, restart the count"),
        Case("overflow_neg_inf", (_call(_with(rng, _scaled_grads(rng, 8.0, 2, 3, 2), -np.inf), 8.0, 0,
                                        backoff_factor=0.25),),
             description="a -inf gradient, backoff_factor 0.25"),
        Case("grows", (_call(_scaled_grads(rng, s, 5), s, 1999),),
             description="the 2000th successful step in a row: the scale grows and the count restarts"),
        Case("one_before", (_call(_scaled_grads(rng, s, 5), s, 1998),),
             description="the 1999th successful step: the count goes up, the scale does not grow yet"),
        Case("drawn_interval", (
            _call(_scaled_grads(rng, 512.0, 3, 4), 512.0, interval - 1, growth_factor=3.0, growth_interval=interval),
            _call(_scaled_grads(rng, 512.0, 3, 4), 512.0, interval - 2, growth_factor=3.0, growth_interval=interval),
            _call(_scaled_grads(rng, 512.0, 3, 4), 512.0, 0, growth_factor=3.0, growth_interval=interval),
        ), description="a drawn growth_interval, growth_factor 3: at, just before and far from the interval"),
        Case("every_step", _sequence(rng, set(), 4, growth_interval=1),
             description="growth_interval 1: the scale grows on every successful step"),
        Case("sequence", _sequence(rng, {4, 5}, 9, growth_factor=4.0, backoff_factor=0.25, growth_interval=3),
             description="9 consecutive steps with growth_interval 3 and two overflows in a row (steps 4 and 5)"),
    ]
    return cases


TASK = Task(
    id="loss_scaler_step",
    title="Dynamic loss scaling step for mixed precision",
    functions=(
        FunctionSpec(
            "loss_scaler_step",
            params("grads", "scale", "growth_tracker", growth_factor="2.0", backoff_factor="0.5",
                   growth_interval="2000"),
            ("grads", "scale", "growth_tracker", "skipped"),
        ),
    ),
    reference={"loss_scaler_step": loss_scaler_step},
    make_cases=_cases,
    detectors={
        "loss_scaler_step": (_overflow_step, _not_detected, _tracker, _growth, _unscaled_by_multiplication),
    },
)
