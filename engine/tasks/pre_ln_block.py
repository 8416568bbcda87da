"""Task ``pre_ln_block``: the forward pass of a pre-LN transformer block (GPT-2 style), from the parts of the
layernorm, multi_head_attention and gelu tasks.

x (N, L, E) -> h = x + MHA(LN1(x)) -> out = h + W2 gelu_tanh(W1 LN2(h) + b1) + b2, shape (N, L, E).
LayerNorm over the last axis with eps 1e-5; self-attention with the multi_head_attention task's conventions (torch
Linear layout, no biases, contiguous heads, 1/sqrt(d) per head), causal when asked; GELU in its tanh form; the MLP
in torch Linear layout: W1 (F, E), b1 (F,), W2 (E, F), b2 (E,).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params
from engine.tasks.gelu import gelu_forward
from engine.tasks.layernorm import layernorm_forward
from engine.tasks.multi_head_attention import multi_head_attention_forward

ARGS = (
    "x",
    "ln1_gamma",
    "ln1_beta",
    "W_q",
    "W_k",
    "W_v",
    "W_o",
    "ln2_gamma",
    "ln2_beta",
    "W1",
    "b1",
    "W2",
    "b2",
    "num_heads",
)


def pre_ln_block(
    x: np.ndarray,
    ln1_gamma: np.ndarray,
    ln1_beta: np.ndarray,
    W_q: np.ndarray,
    W_k: np.ndarray,
    W_v: np.ndarray,
    W_o: np.ndarray,
    ln2_gamma: np.ndarray,
    ln2_beta: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    num_heads: int,
    causal: bool = False,
) -> np.ndarray:
    """x (N, L, E); LN parameters (E,); W_q, W_k, W_v, W_o (E, E); W1 (F, E), b1 (F,), W2 (E, F), b2 (E,) ->
    out (N, L, E) = h + mlp(LN2(h)) with h = x + attention(LN1(x))."""
    x = np.asarray(x, dtype=np.float64)
    a = layernorm_forward(x, ln1_gamma, ln1_beta)
    h = x + _attention(a, W_q, W_k, W_v, W_o, int(num_heads), bool(causal))
    out: np.ndarray = h + _mlp(layernorm_forward(h, ln2_gamma, ln2_beta), W1, b1, W2, b2)
    return out


def _attention(
    a: np.ndarray, W_q: np.ndarray, W_k: np.ndarray, W_v: np.ndarray, W_o: np.ndarray, heads: int, causal: bool
) -> np.ndarray:
    """Self-attention of a (N, L, E); causal: position i attends to positions 0 .. i only."""
    length = a.shape[1]
    mask = np.tril(np.ones((length, length), dtype=bool)) if causal else None
    return multi_head_attention_forward(a, a, W_q, W_k, W_v, W_o, heads, mask)


def _mlp(
    a: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray, act: str = "tanh"
) -> np.ndarray:
    """a (N, L, E) -> gelu(a W1^T + b1) W2^T + b2; ``act`` "none" is the exact (erf) GELU, "relu" a ReLU."""
    z = a @ W1.T + b1
    hidden = np.maximum(z, 0.0) if act == "relu" else gelu_forward(z, act)
    out: np.ndarray = hidden @ W2.T + b2
    return out


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, N, L, E, heads, F, causal, what
    shapes: list[tuple[str, int, int, int, int, int, bool, str]] = [
        ("example", 2, 3, 4, 2, 8, False, "N = 2, L = 3, E = 4, 2 heads, MLP width 8, no mask"),
        ("causal", 2, 4, 6, 2, 12, True, "a causal block: each position sees itself and the past"),
        ("batch1_one_head", 1, 5, 4, 1, 16, True, "a batch of one, a single head, causal"),
        ("four_heads", 2, 3, 8, 4, 16, False, "4 heads of size 2"),
        ("single_position", 3, 1, 6, 3, 6, True, "L = 1: attention returns the value itself"),
        ("narrow_mlp", 1, 4, 8, 2, 4, False, "an MLP narrower than the model (F = 4 < E = 8)"),
        ("gelu_tail", 2, 3, 4, 2, 32, False, "MLP pre-activations near -2.7, where GELU's two forms differ most"),
    ]
    for name, n, length, e, heads, f, causal, what in shapes:
        # A residual stream with an offset and a scale per position, so that a missing or misplaced LayerNorm
        # shows; weights scaled by 1/sqrt(fan-in).
        x = normal(rng, n, length, e) * rng.uniform(0.5, 3.0, (n, length, 1)) + rng.uniform(-2.0, 2.0, (n, length, 1))
        args: dict[str, Any] = {
            "x": x,
            "ln1_gamma": 1.0 + normal(rng, e, scale=0.3),
            "ln1_beta": normal(rng, e, scale=0.3),
            **{k: normal(rng, e, e, scale=1.2 / np.sqrt(e)) for k in ("W_q", "W_k", "W_v", "W_o")},
            "ln2_gamma": 1.0 + normal(rng, e, scale=0.3),
            "ln2_beta": normal(rng, e, scale=0.3),
            "W1": normal(rng, f, e, scale=1.5 / np.sqrt(e)),
            "b1": normal(rng, f, scale=0.3),
            "W2": normal(rng, e, f, scale=1.0 / np.sqrt(f)),
            "b2": normal(rng, e, scale=0.3),
            "num_heads": heads,
        }
        if name == "gelu_tail":
            # Every hidden unit sits near z = -2.7 (the tanh form and the exact erf form differ there by 4.7e-4)
            # and W2 > 0 adds those differences up: the erf GELU is then off by several tolerances, every seed.
            args["x"] = normal(rng, n, length, e, scale=0.3)
            args["W1"] = normal(rng, f, e, scale=0.2 / np.sqrt(e))
            args["b1"] = -2.7 + normal(rng, f, scale=0.1)
            args["W2"] = np.abs(normal(rng, e, f, scale=1.5 / np.sqrt(f)))
            args["W_o"] = normal(rng, e, e, scale=0.3 / np.sqrt(e))  # keeps |out| near 1, the comparison's scale
            args["b2"] = normal(rng, e, scale=0.1)
        if causal:
            args["causal"] = True
        cases.append(Case(name, (Call("pre_ln_block", args),), name == "example", description=what))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    a = ctx.call.args
    x = np.asarray(a["x"], dtype=np.float64)
    g1, be1, g2, be2 = (np.asarray(a[k], dtype=np.float64) for k in ("ln1_gamma", "ln1_beta", "ln2_gamma", "ln2_beta"))
    Wq, Wk, Wv, Wo, W1, b1, W2, b2 = (
        np.asarray(a[k], dtype=np.float64) for k in ("W_q", "W_k", "W_v", "W_o", "W1", "b1", "W2", "b2")
    )
    heads, causal = int(a["num_heads"]), bool(a.get("causal", False))

    def attn(v: np.ndarray, masked: bool = causal) -> np.ndarray:
        return _attention(v, Wq, Wk, Wv, Wo, heads, masked)

    def mlp(v: np.ndarray, act: str = "tanh") -> np.ndarray:
        return _mlp(v, W1, b1, W2, b2, act)

    ln1 = layernorm_forward(x, g1, be1)
    h = x + attn(ln1)
    ln2 = layernorm_forward(h, g2, be2)
    ref = h + mlp(ln2)
    post_h = layernorm_forward(x + attn(x), g1, be1)
    h_from_ln = ln1 + attn(ln1)
    ln2_from_ln = layernorm_forward(h_from_ln, g2, be2)
    swapped_h = x + attn(layernorm_forward(x, g2, be2))
    h_other_mask = x + attn(ln1, not causal)
    out: list[tuple[np.ndarray | None, str]] = [
        (
            layernorm_forward(post_h + mlp(post_h), g2, be2),
            "this is a post-LN block (LayerNorm after each residual sum); in a pre-LN block each sub-layer reads"
            " LN(x) and its output is added to x itself: h = x + attn(LN1(x)), out = h + mlp(LN2(h))",
        ),
        (
            ln2_from_ln + mlp(ln2_from_ln),
            "the residual adds the normalised input: the skip connection must carry x (and h) unnormalised,"
            " h = x + attn(LN1(x))",
        ),
        (
            layernorm_forward(ref, g2, be2),
            "out is layer-normalised at the end: a pre-LN block returns the residual stream h + mlp(LN2(h)) as it"
            " is (GPT-2 applies a final LayerNorm once, after the last block)",
        ),
        (
            swapped_h + mlp(layernorm_forward(swapped_h, g1, be1)),
            "the two LayerNorms' parameters are swapped: ln1 before attention, ln2 before the MLP",
        ),
        (
            h_other_mask + mlp(layernorm_forward(h_other_mask, g2, be2)),
            "the causal mask is ignored: with causal=True position i attends to positions 0 .. i only"
            if causal
            else "a causal mask is applied although causal=False: every position attends to every position",
        ),
        (
            h + mlp(ln2, "relu"),
            "the MLP uses ReLU; use GELU, tanh form: 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))",
        ),
        (h + mlp(ln2, "none"), "the MLP uses the exact (erf) GELU; this block uses its tanh form"),
    ]
    return out


TASK = Task(
    id="pre_ln_block",
    title="Pre-LN transformer block forward",
    functions=(FunctionSpec("pre_ln_block", params(*ARGS, causal="False"), ("out",)),),
    reference={"pre_ln_block": pre_ln_block},
    make_cases=_cases,
    detectors={"pre_ln_block": (diagnose.variant_explained("out", _variants),)},
)
