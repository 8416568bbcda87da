"""Task ``rope``: rotary position embedding in the half-split (GPT-NeoX, LLaMA in Hugging Face) layout, and its
backward.

x (..., L, D) with D even, positions (L,) integers. Feature i of the first half is paired with feature i + D/2 of the
second half and the pair is rotated by the angle positions[l] * base ** (-2i / D), i = 0 .. D/2 - 1. The rotation is
linear in x and orthogonal, so the backward applies its transpose (the rotation by minus the angle) to dy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, GradientLink, Task
from engine.tasks._util import normal, params, upstream


def angles(positions: np.ndarray, d: int, base: float, *, exponent: str = "2i/D") -> np.ndarray:
    """positions (L,) -> the rotation angles (L, D/2): positions[l] * base ** (-2i / D).

    ``exponent`` "i/D" gives the classic mistake base ** (-i / D) (the detectors use it).
    """
    i = np.arange(d // 2, dtype=np.float64)
    power = 2.0 * i / d if exponent == "2i/D" else i / d
    inv_freq = float(base) ** -power
    out: np.ndarray = np.asarray(positions, dtype=np.float64)[:, None] * inv_freq[None, :]
    return out


def rotate(
    x: np.ndarray, positions: np.ndarray, base: float, *, sign: float = 1.0, layout: str = "half",
    exponent: str = "2i/D",
) -> np.ndarray:
    """Rotate every feature pair of x (..., L, D) by ``sign`` times its angle.

    ``layout`` "half" pairs feature i with i + D/2 (the task's convention); "interleaved" pairs 2i with 2i + 1 (the
    original RoFormer / Meta LLaMA layout, a classic mix-up the detectors recognise).
    """
    x = np.asarray(x, dtype=np.float64)
    d = x.shape[-1]
    theta = angles(positions, d, base, exponent=exponent)
    cos, sin = np.cos(theta), sign * np.sin(theta)
    if layout == "half":
        a, b = x[..., : d // 2], x[..., d // 2 :]
    else:
        a, b = x[..., 0::2], x[..., 1::2]
    ra, rb = a * cos - b * sin, a * sin + b * cos
    if layout == "half":
        return np.concatenate([ra, rb], axis=-1)
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = ra, rb
    return out


def rope(x: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> np.ndarray:
    """x (..., L, D), D even; positions (L,) int -> y (..., L, D).

    With x1 = x[..., :D/2], x2 = x[..., D/2:] and theta (L, D/2) = positions[:, None] * base ** (-2i / D):
    y = concat(x1 cos(theta) - x2 sin(theta), x1 sin(theta) + x2 cos(theta)).
    """
    return rotate(x, positions, base)


def rope_backward(dy: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> np.ndarray:
    """dy (..., L, D) -> dx (..., L, D): the transposed rotation, i.e. the rotation by -theta, applied to dy."""
    return rotate(dy, positions, base, sign=-1.0)


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def positions(kind: str, length: int) -> np.ndarray:
        if kind == "offset":  # a chunk further into the sequence (decoding after a prompt)
            return np.arange(length) + int(rng.integers(5, 60))
        if kind == "shuffled":  # arbitrary ids, one repeated: nothing may assume arange
            p = rng.choice(120, size=length, replace=False)
            p[-1] = p[0]
            return p.astype(np.int64)
        return np.arange(length)

    # name, leading axes, L, D, positions kind, base (None: the default), what
    shapes: list[tuple[str, tuple[int, ...], int, int, str, float | None, str]] = [
        ("example", (), 3, 6, "arange", None, "one sequence of 3 positions, D = 6"),
        ("batched", (2,), 5, 8, "arange", None, "a batch of 2 sequences, D = 8"),
        ("heads", (2, 3), 4, 6, "offset", None, "batch and heads, positions continuing after a prompt"),
        ("single_token", (3,), 1, 10, "offset", None, "one new token (decoding): L = 1 at a position past 0"),
        ("shuffled", (), 6, 4, "shuffled", None, "unordered position ids with a repeat"),
        ("base100", (2,), 4, 12, "arange", 100.0, "base = 100: every frequency differs from base 10000's"),
        ("batch1_wide", (1,), 3, 16, "offset", 500.0, "batch 1, D = 16, base = 500"),
    ]
    for name, lead, length, d, kind, base, what in shapes:
        visible = name == "example"
        for fn in ("rope", "rope_backward"):
            first = "x" if fn == "rope" else "dy"
            values = normal(rng, *lead, length, d) if fn == "rope" else upstream(rng, *lead, length, d)
            args: dict[str, Any] = {first: values, "positions": positions(kind, length)}
            if base is not None:
                args["base"] = base
            kind_name = "forward" if fn == "rope" else "backward"
            cases.append(Case(f"{kind_name}_{name}", (Call(fn, args),), visible, description=f"{kind_name}: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors

_INTERLEAVED = (
    "{out} pairs neighbouring features (2i, 2i+1), the interleaved layout; this task uses the half-split layout:"
    " feature i pairs with feature i + D/2 (rotate_half)"
)
_EXPONENT = "{out} uses the frequencies base ** (-i / D); they are base ** (-2i / D) for i = 0 .. D/2 - 1"


def _forward_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    a = ctx.call.args
    x, pos, base = a["x"], np.asarray(a["positions"]), float(a.get("base", 10000.0))
    length = x.shape[-2]
    return [
        (rotate(x, pos, base, layout="interleaved"), _INTERLEAVED.format(out="y")),
        (rotate(x, pos, base, exponent="i/D"), _EXPONENT.format(out="y")),
        (
            rotate(x, pos, base, sign=-1.0),
            "y rotates by minus the angle (the transposed rotation): the first half is x1 cos - x2 sin, the second"
            " x1 sin + x2 cos",
        ),
        (rotate(x, np.arange(length), base), "y ignores positions and uses 0 .. L-1: rotate by the given positions"),
        (rotate(x, pos, 10000.0), "y ignores base and uses 10000: use the base argument"),
    ]


def _backward_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    a = ctx.call.args
    dy, pos, base = a["dy"], np.asarray(a["positions"]), float(a.get("base", 10000.0))
    return [
        (
            rotate(dy, pos, base),
            "dx applies the forward rotation to dy; the backward is its transpose, the rotation by minus the angle",
        ),
        (rotate(dy, pos, base, sign=-1.0, layout="interleaved"), _INTERLEAVED.format(out="dx")),
        (rotate(dy, pos, base, sign=-1.0, exponent="i/D"), _EXPONENT.format(out="dx")),
    ]


def _zeros_like_dy(args: dict[str, Any]) -> np.ndarray:
    """The forward's x for the cross-check: RoPE is linear in x, so its gradient is the same at every x."""
    return np.zeros(np.shape(args["dy"]))


TASK = Task(
    id="rope",
    title="Rotary position embedding (RoPE), half-split layout, forward and backward",
    functions=(
        FunctionSpec("rope", params("x", "positions", base="10000.0"), ("y",)),
        FunctionSpec("rope_backward", params("dy", "positions", base="10000.0"), ("dx",)),
    ),
    reference={"rope": rope, "rope_backward": rope_backward},
    make_cases=_cases,
    detectors={
        "rope": (diagnose.variant_explained("y", _forward_variants),),
        "rope_backward": (diagnose.variant_explained("dx", _backward_variants),),
    },
    links=(GradientLink("rope", "rope_backward", {"x": None}, forward_fixed_args={"x": _zeros_like_dy}),),
)
