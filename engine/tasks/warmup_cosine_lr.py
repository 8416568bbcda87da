"""Task ``warmup_cosine_lr``: a linear warm-up from 0 followed by a cosine decay to min_lr (one step at a time).

Conventions (as Hugging Face's ``get_cosine_schedule_with_warmup``, plus a floor): ``step`` counts the optimiser steps
already taken, from 0. For step < warmup_steps, lr = base_lr * step / warmup_steps (0 at step 0); from warmup_steps
to total_steps, progress = (step - warmup_steps) / (total_steps - warmup_steps) runs from 0 to 1 and
lr = min_lr + (base_lr - min_lr) * (1 + cos(pi * progress)) / 2; from total_steps on, lr stays at min_lr.

Learning rates are small numbers (1e-5 ... 1), so the task compares them to 1e-9 (absolute below 1, relative above)
and its detectors compare relative to the value itself, not to the engine's default scale of 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import params


def warmup_cosine_lr(
    step: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0
) -> float:
    """The learning rate for 0-based ``step`` (0 <= warmup_steps < total_steps), a Python float."""
    if step < warmup_steps:
        return base_lr * step / warmup_steps
    if step >= total_steps:
        return min_lr
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress))


# ---------------------------------------------------------------------------------------------------- detectors

Schedule = Callable[[int, float, int, int, float], float]


def _cosine(step: float, start: float, span: float, base: float, low: float) -> float:
    return low + (base - low) * 0.5 * (1.0 + math.cos(math.pi * (step - start) / span))


def _off_by_one(step: int, base: float, warm: int, total: int, low: float) -> float:
    if step < warm:
        return base * (step + 1) / warm
    return warmup_cosine_lr(step, base, warm, total, low)


def _span_total(step: int, base: float, warm: int, total: int, low: float) -> float:
    if step < warm:
        return base * step / warm
    return low if step >= total else _cosine(step, warm, total, base, low)


def _no_offset(step: int, base: float, warm: int, total: int, low: float) -> float:
    if step < warm:
        return base * step / warm
    return low if step >= total else _cosine(step, 0, total, base, low)


def _min_ignored(step: int, base: float, warm: int, total: int, low: float) -> float:
    return warmup_cosine_lr(step, base, warm, total, 0.0)


def _min_on_top(step: int, base: float, warm: int, total: int, low: float) -> float:
    if step < warm:
        return base * step / warm
    return low + (0.0 if step >= total else _cosine(step, warm, total - warm, base, 0.0))


def _not_held(step: int, base: float, warm: int, total: int, low: float) -> float:
    if step < total:
        return warmup_cosine_lr(step, base, warm, total, low)
    return _cosine(step, warm, total - warm, base, low)


_VARIANTS: tuple[tuple[Schedule, str], ...] = (
    (
        _off_by_one,
        "the warm-up is one step ahead: it uses step + 1; here lr = base_lr * step / warmup_steps, 0 at step 0",
    ),
    (
        _span_total,
        "the cosine runs over total_steps steps instead of total_steps - warmup_steps, so it never reaches min_lr"
        " by total_steps: progress = (step - warmup_steps) / (total_steps - warmup_steps)",
    ),
    (
        _no_offset,
        "the cosine starts at step 0 instead of at the end of the warm-up: progress = (step - warmup_steps) /"
        " (total_steps - warmup_steps)",
    ),
    (_min_ignored, "the decay ignores min_lr: it ends at 0 instead of min_lr"),
    (
        _min_on_top,
        "min_lr is added on top of the cosine, which starts above base_lr: decay (base_lr - min_lr), then add"
        " min_lr",
    ),
    (
        _not_held,
        "after total_steps the cosine climbs back up: hold lr at min_lr from total_steps on",
    ),
)


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-12)


def _variant(ctx: DiagnosisContext) -> str | None:
    """The call's value is what one known mistake gives at this step (and the mistake matters at this step)."""
    got = ctx.got.get("lr")
    if got is None or got.size != 1 or got.dtype.kind not in "fiu":
        return None
    value, expected = float(got.reshape(())), float(ctx.expected["lr"])
    a = ctx.call.args
    step, warm, total = int(a["step"]), int(a["warmup_steps"]), int(a["total_steps"])
    args = (step, float(a["base_lr"]), warm, total, float(a.get("min_lr", 0.0)))
    found = [text for fn, text in _VARIANTS if _same(value, fn(*args)) and not _same(fn(*args), expected)]
    return found[0] if len(found) == 1 else None


# ---------------------------------------------------------------------------------------------------- cases


def _case(name: str, what: str, steps: list[int], schedule: dict[str, Any], visible: bool = False) -> Case:
    """One call per step (in order; the count does not depend on the draw), all with the same schedule."""
    calls = tuple(Call("warmup_cosine_lr", {"step": int(s), **schedule}) for s in sorted(steps))
    return Case(name, calls, visible, description=what)


def _boundaries(warm: int, total: int, extra: int) -> list[int]:
    """Step 0 and 1, both sides of the end of warm-up and of total_steps, the middle of the cosine, and beyond."""
    middle = (warm + total) // 2
    return [0, 1, max(warm - 1, 0), warm, warm + 1, middle, total - 1, total, total + extra]


def _cases(rng: np.random.Generator) -> list[Case]:
    def rates(floor: bool = True) -> dict[str, float]:
        """A drawn base_lr between 1e-4 and 3, and a floor min_lr between 2% and 40% of it (or none)."""
        base = float(10.0 ** rng.uniform(-4.0, 0.5))
        return {"base_lr": base, "min_lr": base * float(rng.uniform(0.02, 0.4))} if floor else {"base_lr": base}

    def steps(warm: int, total: int, extra: int, count: int = 4) -> list[int]:
        return [*_boundaries(warm, total, extra), *(int(s) for s in rng.integers(0, total + extra, size=count))]

    warm = int(rng.integers(3, 40))
    total = warm + int(rng.integers(12, 400))
    return [
        _case(
            "example", "base_lr 0.1, 4 warm-up steps of 12, min_lr 0, every step from 0 to 13",
            list(range(14)), {"base_lr": 0.1, "warmup_steps": 4, "total_steps": 12}, visible=True,
        ),
        _case(
            "with_min_lr", "100 warm-up steps of 1000 and a floor min_lr",
            steps(100, 1000, 200), {"warmup_steps": 100, "total_steps": 1000, **rates()},
        ),
        _case(
            "no_warmup", "warmup_steps = 0: the cosine starts at step 0, with a floor min_lr",
            steps(0, 50, 10), {"warmup_steps": 0, "total_steps": 50, **rates()},
        ),
        _case(
            "one_warmup_step", "warmup_steps = 1: only step 0 is in the warm-up (lr 0); min_lr left at its default",
            list(range(12)), {"warmup_steps": 1, "total_steps": 10, **rates(floor=False)},
        ),
        _case(
            "long_run", "2000 warm-up steps of 100000 and a floor min_lr",
            steps(2000, 100_000, 50_000, count=6), {"warmup_steps": 2000, "total_steps": 100_000, **rates()},
        ),
        _case(
            "drawn", "a drawn number of warm-up and decay steps, with or without a floor",
            steps(warm, total, 7, count=6),
            {"warmup_steps": warm, "total_steps": total, **rates(floor=bool(rng.integers(2)))},
        ),
        _case(
            "short_decay", "the cosine lasts 3 steps after 5 warm-up steps, with a floor min_lr",
            list(range(10)), {"warmup_steps": 5, "total_steps": 8, **rates()},
        ),
    ]


TASK = Task(
    id="warmup_cosine_lr",
    title="Linear warm-up and cosine decay learning-rate schedule",
    functions=(
        FunctionSpec(
            "warmup_cosine_lr", params("step", "base_lr", "warmup_steps", "total_steps", min_lr="0.0"), ("lr",)
        ),
    ),
    reference={"warmup_cosine_lr": warmup_cosine_lr},
    make_cases=_cases,
    tolerance=1e-9,
    detectors={"warmup_cosine_lr": (_variant,)},
)
