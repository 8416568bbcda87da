"""Training calculators: optimizer updates (momentum, Adam's bias correction), learning-rate schedules and
scaling, steps and batch sizes, dropout and batch norm in train vs eval mode, and training at scale (ZeRO/FSDP
memory per device, data-parallel traffic).

Percentages and "milli" parameters are integers so templates stay integer-valued: p_pct = 20 means p = 0.2. Memory
follows the ZeRO paper's mixed-precision Adam accounting: 2 bytes of fp16/bf16 weights, 2 of gradients and 12 of
optimiser state (fp32 master weights, m and v) per parameter; activations are left out. "GB" is 10⁹ bytes.
"""

from __future__ import annotations

import math
from typing import Any

from questions.calc_core import Computed, fmt, register

# ---- optimizers, schedules, batches, dropout and batch norm ---------------------------------------------------


@register("numeric")
def sgd_momentum_velocity(*, g: int, mu_pct: int, t: int) -> Computed:
    """torch SGD momentum buffer after t steps of a constant gradient g: v ← μ·v + g, v₁ = g."""
    mu = mu_pct / 100
    v = g * sum(mu**i for i in range(t))
    return Computed(
        v,
        f"v_t = g (1 + μ + ... + μ^(t-1)) = g (1 - μ^t)/(1 - μ) with μ = {mu:g}, t = {t}\n"
        f"= {g} * {sum(mu**i for i in range(t)):.6g} = {v:.6g}",
    )


def _beta_ok(*, beta_milli: int, t: int, **_: Any) -> bool:
    """0 < beta_milli < 1000 and t >= 1"""
    return 0 < beta_milli < 1000 and t >= 1


@register("numeric", _beta_ok)
def adam_bias_correction(*, beta_milli: int, t: int) -> Computed:
    """Adam's bias-correction multiplier 1 / (1 − β^t) at step t, β = beta_milli / 1000."""
    b = beta_milli / 1000
    d = 1 - b**t
    return Computed(1 / d, f"1 - β^t = 1 - {b:g}^{t} = {d:.6g}; multiplier = 1/{d:.6g} = {1 / d:.6g}")


def _warm_ok(*, warmup: int, step: int, **_: Any) -> bool:
    """1 <= step <= warmup"""
    return 1 <= step <= warmup


@register("numeric", _warm_ok)
def warmup_lr(*, peak_e4: int, warmup: int, step: int) -> Computed:
    """Learning rate at `step` (1-based) of a linear warm-up from 0 to peak_e4·1e-4 over `warmup` steps."""
    v = peak_e4 * 1e-4 * step / warmup
    return Computed(v, f"lr = peak * step / warmup = {peak_e4}e-4 * {step}/{warmup} = {v:.6g}")


def _cos_ok(*, total: int, step: int, **_: Any) -> bool:
    """0 <= step <= total"""
    return 0 <= step <= total and total >= 1


@register("numeric", _cos_ok)
def cosine_lr(*, peak_e4: int, total: int, step: int) -> Computed:
    """Cosine decay from peak_e4·1e-4 to 0 over `total` steps: lr = peak·(1 + cos(π·step/total))/2."""
    peak = peak_e4 * 1e-4
    c = math.cos(math.pi * step / total)
    v = peak * (1 + c) / 2
    return Computed(v, f"cos(π*{step}/{total}) = {c:.4g}; lr = {peak:g} * (1 + {c:.4g})/2 = {v:.6g}")


@register("numeric")
def training_steps(*, N: int, B: int, epochs: int) -> Computed:
    """Optimizer steps for `epochs` epochs over N examples in batches of B, keeping the last partial batch."""
    per = -(-N // B)
    return Computed(per * epochs, f"steps per epoch = ceil({N}/{B}) = {per}; total = {per}*{epochs} = {per * epochs:,}")


@register("numeric")
def effective_batch_size(*, B: int, accum: int, devices: int) -> Computed:
    """Examples per optimizer step with data parallelism and gradient accumulation."""
    v = B * accum * devices
    return Computed(v, f"per-device batch * accumulation steps * devices = {B}*{accum}*{devices} = {v:,}")


def _drop_ok(*, p_pct: int, **_: Any) -> bool:
    """0 <= p_pct < 100"""
    return 0 <= p_pct < 100


@register("numeric", _drop_ok)
def dropout_kept_value(*, x: int, p_pct: int) -> Computed:
    """Training-mode output of inverted dropout for a kept element x, drop probability p_pct/100."""
    p = p_pct / 100
    v = x / (1 - p)
    return Computed(v, f"kept elements are scaled by 1/(1 - p) = 1/{1 - p:g}: {x} / {1 - p:g} = {v:.6g}")


@register("numeric", _drop_ok)
def dropout_expected_zeros(*, n: int, p_pct: int) -> Computed:
    """Expected number of zeroed elements when dropout with p = p_pct/100 acts on n elements in training."""
    v = n * p_pct / 100
    return Computed(v, f"each element is dropped with probability p = {p_pct / 100:g}: {n} * {p_pct / 100:g} = {v:g}")


@register("numeric")
def bn_running_mean_update(*, running: int, batch_mean: int, momentum_pct: int) -> Computed:
    """torch's running-mean update (1 − m)·running + m·batch_mean, m = momentum_pct/100."""
    m = momentum_pct / 100
    v = (1 - m) * running + m * batch_mean
    return Computed(v, f"(1 - {m:g})*{running} + {m:g}*{batch_mean} = {v:.6g}")


def _var_ok(*, var: int, **_: Any) -> bool:
    """var > 0"""
    return var > 0


@register("numeric", _var_ok)
def batchnorm_eval_output(*, x: int, mean: int, var: int, gamma: int, beta: int) -> Computed:
    """BatchNorm output in eval mode for one value (eps = 1e-5, negligible at this precision)."""
    v = gamma * (x - mean) / math.sqrt(var + 1e-5) + beta
    return Computed(
        v,
        f"eval uses the running statistics: γ (x - μ)/sqrt(σ² + eps) + β\n"
        f"= {gamma}*({x} - {mean})/sqrt({var}) + {beta} = {v:.6g}",
    )


# ---- training at scale ---------------------------------------------------------------------------------------


def _zero_ok(*, stage: int, devices: int, **_: Any) -> bool:
    """stage is 0 (plain DDP), 1, 2 or 3 and devices >= 1"""
    return stage in (0, 1, 2, 3) and devices >= 1


@register("numeric", _zero_ok)
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


@register("numeric", _ar_ok)
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


@register("numeric", _lr_ok)
def scaled_learning_rate(*, base_lr_e4: int, base_batch: int, batch: int, rule: str) -> Computed:
    """Learning rate after scaling from base_batch to batch by the linear or square-root rule."""
    k = batch / base_batch
    factor = k if rule == "linear" else math.sqrt(k)
    base = base_lr_e4 * 1e-4
    v = base * factor
    how = f"k = {batch}/{base_batch} = {k:g}" if rule == "linear" else f"sqrt({batch}/{base_batch}) = {factor:.6g}"
    return Computed(v, f"{rule} rule: factor {how}\nlr = base * factor = {base:g} * {factor:.6g} = {v:.6g}")
