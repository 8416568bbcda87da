"""Calculators for convolutional networks: receptive fields and ResNet bottleneck parameters.

Registered like every calculator (:mod:`questions.calc` imports this module).
"""

from __future__ import annotations

from typing import Any

from questions.calc_core import Computed, register


@register("numeric")
def receptive_field_stack(*, n: int, k: int, s: int) -> Computed:
    """Receptive field of one output of n stacked k×k convolutions (or pools), each with stride s."""
    r, jump, lines = 1, 1, []
    for i in range(1, n + 1):
        r += (k - 1) * jump
        lines.append(f"layer {i}: r += (k - 1) * jump = {k - 1}*{jump} -> {r}")
        jump *= s
    return Computed(r, "r starts at 1; jump (input pixels between neighbouring outputs) starts at 1 and "
                       "multiplies by the stride\n" + "\n".join(lines) + f"\nreceptive field = {r}")


@register("numeric")
def receptive_field_dilated(*, n: int, k: int) -> Computed:
    """Receptive field of n stride-1 k-wide convolutions with dilations 1, 2, 4, …, 2^(n−1)."""
    r = 1 + (k - 1) * (2**n - 1)
    return Computed(
        r,
        f"each layer adds d*(k - 1); dilations sum to 1 + 2 + ... + 2^{n - 1} = {2**n - 1}\n"
        f"r = 1 + {k - 1}*{2**n - 1} = {r}",
    )


def _bottleneck_ok(*, C_in: int, width: int, projection: bool = False, **_: Any) -> bool:
    """an identity shortcut needs C_in == 4 * width"""
    return projection or C_in == 4 * width


@register("numeric", _bottleneck_ok)
def bottleneck_params(*, C_in: int, width: int, projection: bool = False) -> Computed:
    """Parameters of a ResNet bottleneck (1×1 → 3×3 → 1×1 to 4·width, no conv biases, BatchNorm γ and β)."""
    w, out = width, 4 * width
    convs = C_in * w + 9 * w * w + w * out
    bn = 2 * (w + w + out)
    proj = C_in * out + 2 * out if projection else 0
    total = convs + bn + proj
    return Computed(
        total,
        f"convs: {C_in}*{w} + 9*{w}² + {w}*{out} = {convs:,}; BatchNorm 2*({w} + {w} + {out}) = {bn:,}\n"
        + (f"projection shortcut 1×1 {C_in}->{out} + BN = {proj:,}\n" if projection else "identity shortcut: 0\n")
        + f"total = {total:,}",
    )
