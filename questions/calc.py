"""Calculators for parameterised questions: shapes, FLOPs, parameter counts, memory and small numeric facts.

The public entry point: importing this module registers every calculator in :data:`CALCULATORS`. Each calculator
takes keyword arguments (a template's drawn ``params`` plus its ``fixed`` values) and returns a :class:`Computed`:
the answer (a number, or a shape as a tuple of ints) and the worked computation as text. Each has a validity
predicate over the same keywords (for example ``H + 2p >= k`` for a convolution); a template's parameters are
re-drawn until it holds.

Where they live, one topic per module (the registry, ``register`` and ``fmt`` in :mod:`questions.calc_core`):

- :mod:`questions.calc_shapes`: output shapes of layers, attention, broadcasting, im2col, ViT patches;
- :mod:`questions.calc_params_flops`: parameter counts and FLOPs of layers and blocks, normalisation statistics;
- :mod:`questions.calc_memory`: tensors, activations, attention weights, KV cache, optimizer state, weights;
- :mod:`questions.calc_numeric`: softmax, losses, derivatives, initialisation scales;
- :mod:`questions.calc_training`: optimizers, schedules, batches, dropout, batch norm, ZeRO memory, all-reduce;
- :mod:`questions.calc_cnn`: receptive fields, ResNet bottlenecks;
- :mod:`questions.calc_llm`: GQA KV cache, whole-model parameters, MoE, perplexity, quantisation.

Conventions, used in every working and every explanation that relies on these numbers:

- A matmul (m×k)·(k×n) costs m·k·n multiply-adds = 2·m·k·n FLOPs. Bias additions, activations and softmax
  exponentials are lower order and not counted unless a calculator says so.
- torch.nn.Linear(in, out) stores W as (out, in) and b as (out,): y = x Wᵀ + b.
- Conv2d(C_in, C_out, k) has C_out·C_in·k·k weights plus C_out biases (C_in/groups per group when grouped).
- Conv and pool output size: (H + 2p − d·(k − 1) − 1) // s + 1, which for dilation d = 1 is (H + 2p − k) // s + 1.
- Memory: "MB" is 10⁶ bytes and "GB" 10⁹ bytes; float32 is 4 bytes, float16/bfloat16 2, int8 1.
- Percentages and "milli" parameters are integers so templates stay integer-valued: p_pct = 20 means p = 0.2.
"""

from __future__ import annotations

# Each topic module registers its calculators on import.
from questions import (  # noqa: F401
    calc_cnn,
    calc_llm,
    calc_memory,
    calc_numeric,
    calc_params_flops,
    calc_shapes,
    calc_training,
)
from questions.calc_core import CALCULATORS, Answer, Calculator, Computed, Kind, Shape, Value, fmt

__all__ = ["CALCULATORS", "Answer", "Calculator", "Computed", "Kind", "Shape", "Value", "fmt"]
