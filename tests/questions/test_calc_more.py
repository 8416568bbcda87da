"""The calculators of calc_llm, calc_training and calc_cnn on published figures, and their predicates."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from questions.calc import CALCULATORS


@pytest.mark.parametrize(
    ("name", "params", "answer"),
    [
        # GPT-2 small is "124M": 124,439,808 with the output head tied to the token embedding.
        ("gpt2_params", {"layers": 12, "d_model": 768, "V": 50257, "ctx": 1024}, 124_439_808),
        ("gpt2_params", {"layers": 12, "d_model": 768, "V": 50257, "ctx": 1024, "tied": False},
         124_439_808 + 50257 * 768),
        # Llama-2-7B: 6,738,415,616 parameters (untied head, d_ff 11008, vocabulary 32000).
        ("llama_params", {"layers": 32, "d_model": 4096, "d_ff": 11008, "V": 32000}, 6_738_415_616),
        # Llama-2-7B (MHA) and Llama-2-70B (GQA, 8 K/V heads) KV cache per token in 16-bit.
        ("kv_cache_bytes_per_token", {"layers": 32, "n_heads": 32, "n_kv_heads": 32, "d_head": 128}, 524_288),
        ("kv_cache_bytes_per_token", {"layers": 80, "n_heads": 64, "n_kv_heads": 8, "d_head": 128}, 327_680),
        ("kv_cache_gqa_gb", {"layers": 32, "B": 1, "T": 4096, "n_heads": 32, "n_kv_heads": 32, "d_head": 128},
         2.147483648),
        ("kv_cache_max_tokens", {"mem_gb": 1, "layers": 32, "n_heads": 32, "n_kv_heads": 32, "d_head": 128}, 1907),
        # The ZeRO paper's 7.5B-parameter model on 64 GPUs: 120, 31.4, 16.6 and 1.88 GB per GPU.
        ("zero_memory_gb", {"params_b": 7.5, "devices": 64, "stage": 0}, 120.0),
        ("zero_memory_gb", {"params_b": 7.5, "devices": 64, "stage": 1}, 31.40625),
        ("zero_memory_gb", {"params_b": 7.5, "devices": 64, "stage": 2}, 16.640625),
        ("zero_memory_gb", {"params_b": 7.5, "devices": 64, "stage": 3}, 1.875),
        ("ring_allreduce_gb", {"params_m": 1000, "devices": 4}, 3.0),
        ("scaled_learning_rate", {"base_lr_e4": 1, "base_batch": 256, "batch": 1024, "rule": "linear"}, 4e-4),
        ("scaled_learning_rate", {"base_lr_e4": 1, "base_batch": 256, "batch": 1024, "rule": "sqrt"}, 2e-4),
        # ResNet-50's first bottleneck of conv3: 256 -> 128 -> 512 with a projection shortcut.
        ("bottleneck_params", {"C_in": 256, "width": 128, "projection": True},
         256 * 128 + 9 * 128 * 128 + 128 * 512 + 2 * (128 + 128 + 512) + 256 * 512 + 2 * 512),
        ("bottleneck_params", {"C_in": 256, "width": 64}, 70_400),
        ("receptive_field_stack", {"n": 2, "k": 3, "s": 1}, 5),
        ("receptive_field_stack", {"n": 3, "k": 3, "s": 2}, 15),
        ("receptive_field_dilated", {"n": 4, "k": 3}, 31),
        ("perplexity_from_loss", {"loss_milli": 0}, 1.0),
        ("perplexity_from_probs", {"p1_pct": 25, "p2_pct": 25, "p3_pct": 25, "p4_pct": 25}, 4.0),
        ("perplexity_from_probs", {"p1_pct": 50, "p2_pct": 50, "p3_pct": 25, "p4_pct": 25}, math.sqrt(8)),
        ("quantised_weights_gb", {"params_b": 7, "bits": 4, "group": 128}, 3.609375),
        ("int8_symmetric_code", {"w_milli": -400, "absmax_milli": 1000}, -51),
        ("int8_symmetric_code", {"w_milli": 1000, "absmax_milli": 1000}, 127),
        ("moe_params_b", {"layers": 1, "d_model": 10, "d_ff": 20, "experts": 8, "top_k": 2, "count": "active"},
         (400 + 80 + 2 * 600) / 1e9),
    ],
)
def test_published_and_hand_worked_figures(name: str, params: dict[str, object], answer: float) -> None:
    calc = CALCULATORS[name]
    assert calc.is_valid(**params)
    assert calc(**params).answer == pytest.approx(answer, rel=1e-9)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("kv_cache_gqa_gb", {"layers": 1, "B": 1, "T": 1, "n_heads": 32, "n_kv_heads": 6, "d_head": 64}),
        ("kv_cache_bytes_per_token", {"layers": 1, "n_heads": 8, "n_kv_heads": 16, "d_head": 64}),
        ("moe_params_b", {"layers": 1, "d_model": 8, "d_ff": 8, "experts": 4, "top_k": 5, "count": "active"}),
        ("moe_params_b", {"layers": 1, "d_model": 8, "d_ff": 8, "experts": 4, "top_k": 1, "count": "some"}),
        ("zero_memory_gb", {"params_b": 1, "devices": 8, "stage": 4}),
        ("scaled_learning_rate", {"base_lr_e4": 1, "base_batch": 1, "batch": 2, "rule": "cubic"}),
        ("int8_symmetric_code", {"w_milli": 2000, "absmax_milli": 1000}),
        ("int8_symmetric_code", {"w_milli": 500, "absmax_milli": 127_000}),  # 0.5/1.0 = 0.5: a rounding tie
        ("perplexity_from_probs", {"p1_pct": 0, "p2_pct": 50, "p3_pct": 50, "p4_pct": 50}),
        ("ring_allreduce_gb", {"params_m": 1, "devices": 1}),
        ("bottleneck_params", {"C_in": 512, "width": 64}),  # identity shortcut needs C_in = 4 * width
    ],
)
def test_predicates_reject_impossible_parameters(name: str, params: dict[str, object]) -> None:
    assert not CALCULATORS[name].is_valid(**params)


def test_importing_calc_alone_registers_the_calculators_of_every_module() -> None:
    code = "from questions.calc import CALCULATORS as C; print('gpt2_params' in C, 'zero_memory_gb' in C, " \
           "'receptive_field_stack' in C)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == ["True", "True", "True"]
