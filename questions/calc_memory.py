"""Memory calculators: a tensor, the activations an MLP keeps, attention weights, the KV cache, optimizer state
and a model's weights. "MB" is 10⁶ bytes and "GB" 10⁹ bytes.
"""

from __future__ import annotations

from typing import Any

from questions.calc_core import Computed, fmt, register

DTYPE_BYTES: dict[str, int] = {"float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
OPTIMIZER_VALUES: dict[str, int] = {"sgd": 2, "momentum": 3, "adam": 4}
"""Values kept per parameter: weights and gradients, plus the optimizer's state."""


@register("numeric")
def tensor_memory_mb(*, N: int, C: int, H: int, W: int, bytes_per_value: int = 4) -> Computed:
    """Memory of one (N, C, H, W) tensor in MB (10⁶ bytes)."""
    n = N * C * H * W
    return Computed(
        n * bytes_per_value / 1e6,
        f"elements = {N}*{C}*{H}*{W} = {n:,}\nbytes = {n:,} * {bytes_per_value} = {n * bytes_per_value:,}"
        f" = {fmt(n * bytes_per_value / 1e6)} MB",
    )


@register("numeric")
def mlp_activation_memory_mb(*, B: int, width: int, layers: int, bytes_per_value: int = 4) -> Computed:
    """Activations kept for backward by `layers` hidden layers of `width`, one (B, width) tensor each, in MB."""
    n = B * width * layers
    return Computed(
        n * bytes_per_value / 1e6,
        f"one ({B}, {width}) tensor per layer is kept for backward: {B}*{width}*{layers} = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e6)} MB (linear in batch size and depth)",
    )


@register("numeric")
def attention_matrix_memory_mb(*, B: int, h: int, T: int, bytes_per_value: int = 4) -> Computed:
    """Memory of the (B, h, T, T) attention weights in MB."""
    n = B * h * T * T
    return Computed(
        n * bytes_per_value / 1e6,
        f"weights are ({B}, {h}, {T}, {T}): {B}*{h}*{T}^2 = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e6)} MB (quadratic in T)",
    )


@register("numeric")
def kv_cache_gb(*, layers: int, B: int, T: int, d_model: int, bytes_per_value: int = 2) -> Computed:
    """KV-cache size in GB: a K and a V of (B, T, d_model) per layer."""
    n = 2 * layers * B * T * d_model
    return Computed(
        n * bytes_per_value / 1e9,
        f"K and V per layer: 2*{B}*{T}*{d_model}; times {layers} layers = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e9)} GB",
    )


def _opt_ok(*, optimizer: str, **_: Any) -> bool:
    """optimizer is sgd, momentum or adam"""
    return optimizer in OPTIMIZER_VALUES


@register("numeric", _opt_ok)
def optimizer_memory_mb(*, params_m: int, optimizer: str, bytes_per_value: int = 4) -> Computed:
    """Memory for weights, gradients and optimizer state of a model with params_m million parameters, in MB."""
    k = OPTIMIZER_VALUES[optimizer]
    what = {"sgd": "weights + gradients", "momentum": "weights + gradients + velocity",
            "adam": "weights + gradients + m + v"}[optimizer]
    mb = params_m * k * bytes_per_value
    return Computed(
        mb,
        f"{optimizer}: {what} = {k} values per parameter\n"
        f"{params_m}e6 params * {k} * {bytes_per_value} bytes = {mb:,} MB (activations not included)",
    )


def _dtype_ok(*, dtype: str, **_: Any) -> bool:
    """dtype is one of float64, float32, float16, bfloat16, int8"""
    return dtype in DTYPE_BYTES


@register("numeric", _dtype_ok)
def weights_memory_gb(*, params_b: int, dtype: str) -> Computed:
    """Memory of a model's weights alone, params_b billion parameters in `dtype`, in GB."""
    b = DTYPE_BYTES[dtype]
    return Computed(
        params_b * b,
        f"{dtype} is {b} byte(s) per value: {params_b}e9 * {b} bytes = {params_b * b} GB",
    )
