"""Independent oracles for the calculators in questions.calc_llm, calc_cnn and calc_training (training at scale).

None of these calls questions: parameter counts enumerate each tensor of a model the way its state_dict lists
them, receptive fields walk an interval of input positions down through the layers, memory is counted component by
component, quantisation uses NumPy's rounding. tests/questions/test_params.py merges them into its ORACLES.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np


def _count(shapes: list[tuple[int, ...]]) -> int:
    return sum(math.prod(s) for s in shapes)


def gpt2_tensors(layers: int, d_model: int, V: int, ctx: int, tied: bool = True) -> list[tuple[int, ...]]:
    """The tensors of a Hugging Face GPT2LMHeadModel (Conv1D weights are (in, out))."""
    d = d_model
    shapes: list[tuple[int, ...]] = [(V, d), (ctx, d)]
    for _ in range(layers):
        shapes += [(d,), (d,), (d, 3 * d), (3 * d,), (d, d), (d,), (d,), (d,), (d, 4 * d), (4 * d,), (4 * d, d), (d,)]
    shapes += [(d,), (d,)]
    if not tied:
        shapes.append((V, d))
    return shapes


def llama_tensors(layers: int, d_model: int, d_ff: int, V: int, tied: bool = False) -> list[tuple[int, ...]]:
    """The tensors of a Llama-style model: q, k, v, o, gate, up, down, two RMSNorm gains per layer."""
    d = d_model
    shapes: list[tuple[int, ...]] = [(V, d)]
    for _ in range(layers):
        shapes += [(d, d)] * 4 + [(d_ff, d), (d_ff, d), (d, d_ff), (d,), (d,)]
    shapes.append((d,))
    if not tied:
        shapes.append((V, d))
    return shapes


def moe_params_b(layers: int, d_model: int, d_ff: int, experts: int, top_k: int, count: str) -> float:
    d = d_model
    used = experts if count == "total" else top_k
    layer: list[tuple[int, ...]] = [(d, d)] * 4 + [(experts, d)]
    for _ in range(used):
        layer += [(d_ff, d), (d_ff, d), (d, d_ff)]
    return layers * _count(layer) / 1e9


def receptive_field_stack(n: int, k: int, s: int) -> int:
    """The input interval one top output sees, walked down layer by layer."""
    lo, hi = 0, 0
    for _ in range(n):
        lo, hi = lo * s, hi * s + k - 1
    return hi - lo + 1


def receptive_field_dilated(n: int, k: int) -> int:
    """Spread a single output's dependence down through dilated 1-D convolutions with NumPy."""
    dep = np.ones(1, dtype=bool)
    for layer in reversed(range(n)):
        d = 2**layer
        kernel = np.zeros(d * (k - 1) + 1, dtype=int)
        kernel[::d] = 1
        dep = np.convolve(dep.astype(int), kernel) > 0
    return int(dep.sum())


def bottleneck_params(C_in: int, width: int, projection: bool = False) -> int:
    out = 4 * width
    shapes: list[tuple[int, ...]] = [(width, C_in, 1, 1), (width, width, 3, 3), (out, width, 1, 1)]
    shapes += [(width,), (width,), (width,), (width,), (out,), (out,)]
    if projection:
        shapes += [(out, C_in, 1, 1), (out,), (out,)]
    return _count(shapes)


def zero_memory_gb(params_b: int, devices: int, stage: int) -> float:
    """fp16 weights, fp16 grads, fp32 master + m + v; each divided over devices once its stage shards it."""
    parts = {"weights": (2, 3), "grads": (2, 2), "master": (4, 1), "m": (4, 1), "v": (4, 1)}
    total = 0.0
    for nbytes, from_stage in parts.values():
        total += params_b * 1e9 * nbytes / (devices if stage >= from_stage else 1)
    return total / 1e9


def int8_symmetric_code(w_milli: int, absmax_milli: int) -> int:
    scale = np.float64(absmax_milli / 1000) / 127
    return int(np.clip(np.rint(np.float64(w_milli / 1000) / scale), -127, 127))


def quantised_weights_gb(params_b: int, bits: int, group: int, scale_bits: int = 16) -> float:
    n = params_b * 10**9
    total_bits = n * bits + (n // group) * scale_bits + (scale_bits if n % group else 0)
    return total_bits / 8 / 1e9


MORE_ORACLES: dict[str, Callable[..., Any]] = {
    "kv_cache_gqa_gb": lambda layers, B, T, n_heads, n_kv_heads, d_head, bytes_per_value=2: (
        2 * layers * np.prod([B, n_kv_heads, T, d_head], dtype=np.int64) * bytes_per_value / 1e9),
    "kv_cache_bytes_per_token": lambda layers, n_heads, n_kv_heads, d_head, bytes_per_value=2: (
        layers * 2 * n_kv_heads * d_head * bytes_per_value),
    "kv_cache_max_tokens": lambda mem_gb, layers, n_heads, n_kv_heads, d_head, bytes_per_value=2: (
        len(range(0, mem_gb * 10**9 + 1, layers * 2 * n_kv_heads * d_head * bytes_per_value)) - 1),
    "gpt2_params": lambda layers, d_model, V, ctx, tied=True: _count(gpt2_tensors(layers, d_model, V, ctx, tied)),
    "llama_params": lambda layers, d_model, d_ff, V, tied=False: _count(llama_tensors(layers, d_model, d_ff, V, tied)),
    "moe_params_b": moe_params_b,
    "perplexity_from_loss": lambda loss_milli: float(np.exp(loss_milli / 1000)),
    "perplexity_from_probs": lambda p1_pct, p2_pct, p3_pct, p4_pct: float(
        np.prod(100 / np.array([p1_pct, p2_pct, p3_pct, p4_pct], dtype=float)) ** 0.25),
    "quantised_weights_gb": quantised_weights_gb,
    "int8_symmetric_code": int8_symmetric_code,
    "zero_memory_gb": zero_memory_gb,
    "ring_allreduce_gb": lambda params_m, devices, bytes_per_value=2: (
        (devices - 1) / devices * params_m * 1e6 * bytes_per_value * 2 / 1e9),
    "scaled_learning_rate": lambda base_lr_e4, base_batch, batch, rule: (
        base_lr_e4 / 1e4 * (batch / base_batch) ** (1.0 if rule == "linear" else 0.5)),
    "receptive_field_stack": receptive_field_stack,
    "receptive_field_dilated": receptive_field_dilated,
    "bottleneck_params": bottleneck_params,
}
