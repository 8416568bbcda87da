"""Calculators for language-model questions: KV cache with grouped-query attention, whole-model parameter counts,
mixture-of-experts parameters, perplexity and quantised weight memory.

Registered like every calculator (:mod:`questions.calc` imports this module) and following the conventions
stated there: "GB" is 10⁹ bytes, percentages and "milli" parameters are integers (p_pct = 20 means 0.2).
"""

from __future__ import annotations

import math
from typing import Any

from questions.calc_core import Computed, fmt, register

# ---- KV cache -----------------------------------------------------------------------------------------------


def _kv_ok(*, n_heads: int, n_kv_heads: int, **_: Any) -> bool:
    """1 <= n_kv_heads <= n_heads and n_kv_heads divides n_heads"""
    return 1 <= n_kv_heads <= n_heads and n_heads % n_kv_heads == 0


@register("numeric", _kv_ok)
def kv_cache_gqa_gb(
    *, layers: int, B: int, T: int, n_heads: int, n_kv_heads: int, d_head: int, bytes_per_value: int = 2
) -> Computed:
    """KV-cache size in GB with grouped-query attention: K and V of (B, n_kv_heads, T, d_head) per layer."""
    n = 2 * layers * B * n_kv_heads * T * d_head
    kind = "MHA" if n_kv_heads == n_heads else ("MQA" if n_kv_heads == 1 else "GQA")
    return Computed(
        n * bytes_per_value / 1e9,
        f"{kind}: {n_heads} query heads share {n_kv_heads} K/V head(s); the cache keeps only the K/V heads\n"
        f"2 (K and V) * layers {layers} * B {B} * n_kv {n_kv_heads} * T {T} * d_head {d_head} = {n:,} values\n"
        f"{n:,} * {bytes_per_value} bytes = {fmt(n * bytes_per_value / 1e9)} GB",
    )


@register("numeric", _kv_ok)
def kv_cache_bytes_per_token(
    *, layers: int, n_heads: int, n_kv_heads: int, d_head: int, bytes_per_value: int = 2
) -> Computed:
    """Bytes of KV cache one token adds: 2·layers·n_kv_heads·d_head·bytes."""
    n = 2 * layers * n_kv_heads * d_head * bytes_per_value
    return Computed(
        n,
        f"per token and layer: a key and a value for each of the {n_kv_heads} K/V heads ({n_heads} query heads "
        f"do not matter)\n2 * {layers} * {n_kv_heads} * {d_head} * {bytes_per_value} bytes = {n:,} bytes",
    )


@register("numeric", _kv_ok)
def kv_cache_max_tokens(
    *, mem_gb: int, layers: int, n_heads: int, n_kv_heads: int, d_head: int, bytes_per_value: int = 2
) -> Computed:
    """How many tokens of KV cache (summed over all sequences) fit in mem_gb GB, rounded down."""
    per = 2 * layers * n_kv_heads * d_head * bytes_per_value
    n = mem_gb * 10**9 // per
    return Computed(
        n,
        f"bytes per token = 2 * {layers} * {n_kv_heads} * {d_head} * {bytes_per_value} = {per:,}\n"
        f"tokens = floor({mem_gb}e9 / {per:,}) = {n:,}",
    )


# ---- whole-model parameter counts ---------------------------------------------------------------------------


@register("numeric")
def gpt2_params(*, layers: int, d_model: int, V: int, ctx: int, tied: bool = True) -> Computed:
    """Parameters of a GPT-2-style decoder: learned positions, biases, LayerNorms, d_ff = 4·d_model."""
    d = d_model
    block = 12 * d * d + 13 * d
    emb = V * d + ctx * d
    head = 0 if tied else V * d
    total = layers * block + emb + 2 * d + head
    return Computed(
        total,
        f"per block: attention 4d² + 4d, MLP 8d² + 5d, two LayerNorms 4d = 12d² + 13d = {block:,}\n"
        f"{layers} blocks = {layers * block:,}; token + position embeddings ({V} + {ctx})*{d} = {emb:,}\n"
        f"final LayerNorm 2d = {2 * d:,}; output head " + ("tied to the token embedding: 0" if tied else
                                                           f"untied V*d = {head:,}") + f"\ntotal = {total:,}",
    )


@register("numeric")
def llama_params(*, layers: int, d_model: int, d_ff: int, V: int, tied: bool = False) -> Computed:
    """Parameters of a Llama-style decoder: no biases, RMSNorm, SwiGLU MLP, rotary positions, full MHA."""
    d = d_model
    block = 4 * d * d + 3 * d * d_ff + 2 * d
    head = 0 if tied else V * d
    total = layers * block + V * d + d + head
    return Computed(
        total,
        f"per block: attention 4d² = {4 * d * d:,}, SwiGLU 3*d*d_ff = {3 * d * d_ff:,}, two RMSNorm gains 2d: "
        f"{block:,}\n{layers} blocks = {layers * block:,}; embedding V*d = {V * d:,}; final norm {d:,}; "
        f"output head {'tied: 0' if tied else f'V*d = {head:,}'} (RoPE has no parameters)\ntotal = {total:,}",
    )


def _moe_ok(*, experts: int, top_k: int, count: str, **_: Any) -> bool:
    """1 <= top_k <= experts and count is 'total' or 'active'"""
    return 1 <= top_k <= experts and count in ("total", "active")


@register("numeric", _moe_ok)
def moe_params_b(*, layers: int, d_model: int, d_ff: int, experts: int, top_k: int, count: str) -> Computed:
    """Billions of parameters (total or active per token) of a MoE decoder's blocks: MHA 4d², router d·E,
    SwiGLU experts 3·d·d_ff each; embeddings and norms left out."""
    d = d_model
    expert = 3 * d * d_ff
    used = experts if count == "total" else top_k
    per_layer = 4 * d * d + d * experts + used * expert
    n = layers * per_layer
    return Computed(
        n / 1e9,
        f"one expert (SwiGLU) = 3*{d}*{d_ff} = {expert:,}; {count}: {used} expert(s) per layer\n"
        f"per layer = attention 4*{d}² + router {d}*{experts} + {used}*{expert:,} = {per_layer:,}\n"
        f"{layers} layers: {n:,} = {fmt(n / 1e9)} billion",
    )


# ---- perplexity ---------------------------------------------------------------------------------------------


@register("numeric")
def perplexity_from_loss(*, loss_milli: int) -> Computed:
    """Perplexity exp(L) of a mean per-token cross-entropy L = loss_milli/1000 nats."""
    loss = loss_milli / 1000
    v = math.exp(loss)
    return Computed(v, f"perplexity = exp(mean NLL) = exp({loss:g}) = {v:.6g}")


def _probs_ok(*, p1_pct: int, p2_pct: int, p3_pct: int, p4_pct: int, **_: Any) -> bool:
    """every probability percentage is in 1..100"""
    return all(1 <= p <= 100 for p in (p1_pct, p2_pct, p3_pct, p4_pct))


@register("numeric", _probs_ok)
def perplexity_from_probs(*, p1_pct: int, p2_pct: int, p3_pct: int, p4_pct: int) -> Computed:
    """Perplexity of four tokens given the probabilities (in percent) the model gave to each true token."""
    ps = [p / 100 for p in (p1_pct, p2_pct, p3_pct, p4_pct)]
    nll = -sum(math.log(p) for p in ps) / 4
    v = math.exp(nll)
    return Computed(
        v,
        "mean NLL = -(" + " + ".join(f"ln {p:g}" for p in ps) + f")/4 = {nll:.6g}\n"
        f"perplexity = exp({nll:.6g}) = {v:.6g} (the geometric mean of 1/p)",
    )


# ---- quantisation -------------------------------------------------------------------------------------------


def _quant_ok(*, bits: int, group: int, **_: Any) -> bool:
    """1 <= bits <= 16 and group >= 1"""
    return 1 <= bits <= 16 and group >= 1


@register("numeric", _quant_ok)
def quantised_weights_gb(*, params_b: int, bits: int, group: int, scale_bits: int = 16) -> Computed:
    """Memory of params_b billion weights quantised to `bits` with one scale of `scale_bits` per `group` weights."""
    per = bits + scale_bits / group
    gb = params_b * per / 8
    return Computed(
        gb,
        f"bits per weight = {bits} + {scale_bits}/{group} (one scale per group) = {per:g}\n"
        f"{params_b}e9 * {per:g} / 8 bytes = {fmt(gb)} GB",
    )


def _int8_ok(*, w_milli: int, absmax_milli: int, **_: Any) -> bool:
    """0 < |w| <= absmax and w/scale is not a rounding tie"""
    if absmax_milli <= 0 or abs(w_milli) > absmax_milli or w_milli == 0:
        return False
    x = w_milli * 127 / absmax_milli
    return abs(abs(x - math.floor(x)) - 0.5) > 1e-6


@register("numeric", _int8_ok)
def int8_symmetric_code(*, w_milli: int, absmax_milli: int) -> Computed:
    """The int8 code of weight w = w_milli/1000 under symmetric absmax quantisation, scale = absmax/127."""
    w, absmax = w_milli / 1000, absmax_milli / 1000
    scale = absmax / 127
    q = max(-127, min(127, round(w / scale)))
    return Computed(
        q,
        f"scale = absmax/127 = {absmax:g}/127 = {scale:.6g}\n"
        f"q = round(w/scale) = round({w:g}/{scale:.6g}) = round({w / scale:.4f}) = {q}",
    )
