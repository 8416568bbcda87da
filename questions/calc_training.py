"""Calculators for training at scale: ZeRO/FSDP memory per device, data-parallel traffic, learning-rate scaling.

They register themselves in :data:`questions.calc.CALCULATORS` (imported at the end of questions.calc). Memory
follows the ZeRO paper's mixed-precision Adam accounting: 2 bytes of fp16/bf16 weights, 2 of gradients and 12 of
optimiser state (fp32 master weights, m and v) per parameter; activations are left out. "GB" is 10⁹ bytes.
"""

from __future__ import annotations

import math
from typing import Any

from questions.calc import Computed, _register, fmt


def _zero_ok(*, stage: int, devices: int, **_: Any) -> bool:
    """stage is 0 (plain DDP), 1, 2 or 3 and devices >= 1"""
    return stage in (0, 1, 2, 3) and devices >= 1


@_register("numeric", _zero_ok)
def zero_memory_gb(*, params_b: int, devices: int, stage: int) -> Computed:
    """Per-device GB for weights, gradients and Adam state of params_b billion parameters under ZeRO `stage`."""
    n = devices
    weights = 2 / n if stage >= 3 else 2
    grads = 2 / n if stage >= 2 else 2
    state = 12 / n if stage >= 1 else 12
    per = weights + grads + state
    gb = params_b * per
    what = {0: "nothing sharded (DDP)", 1: "optimiser state sharded", 2: "state and gradients sharded",
            3: "state, gradients and weights sharded (FSDP full shard)"}[stage]
    return Computed(
        gb,
        f"stage {stage}: {what} over {n} devices\n"
        f"bytes per parameter = weights {weights:g} + grads {grads:g} + Adam state {state:g} = {per:.6g}\n"
        f"{params_b}e9 * {per:.6g} bytes = {fmt(gb)} GB per device",
    )


def _ar_ok(*, devices: int, **_: Any) -> bool:
    """devices >= 2"""
    return devices >= 2


@_register("numeric", _ar_ok)
def ring_allreduce_gb(*, params_m: int, devices: int, bytes_per_value: int = 2) -> Computed:
    """GB each device sends in one ring all-reduce of the gradients of params_m million parameters."""
    size = params_m * 1e6 * bytes_per_value / 1e9
    v = 2 * (devices - 1) / devices * size
    return Computed(
        v,
        f"gradient size = {params_m}e6 * {bytes_per_value} bytes = {fmt(size)} GB\n"
        f"ring all-reduce = reduce-scatter + all-gather: each sends 2(N-1)/N of it = 2*{devices - 1}/{devices} * "
        f"{fmt(size)} = {fmt(v)} GB",
    )


def _lr_ok(*, rule: str, **_: Any) -> bool:
    """rule is 'linear' or 'sqrt'"""
    return rule in ("linear", "sqrt")


@_register("numeric", _lr_ok)
def scaled_learning_rate(*, base_lr_e4: int, base_batch: int, batch: int, rule: str) -> Computed:
    """Learning rate after scaling from base_batch to batch by the linear or square-root rule."""
    k = batch / base_batch
    factor = k if rule == "linear" else math.sqrt(k)
    base = base_lr_e4 * 1e-4
    v = base * factor
    how = f"k = {batch}/{base_batch} = {k:g}" if rule == "linear" else f"sqrt({batch}/{base_batch}) = {factor:.6g}"
    return Computed(v, f"{rule} rule: factor {how}\nlr = base * factor = {base:g} * {factor:.6g} = {v:.6g}")
