"""The calculators: worked examples checked by hand, workings that show the answer, predicates, the registry."""

from __future__ import annotations

import math

import pytest

from questions.calc import CALCULATORS, fmt


@pytest.mark.parametrize(
    ("name", "params", "answer", "in_working"),
    [
        ("conv2d_output_shape", {"N": 8, "C_in": 3, "H": 32, "W": 30, "C_out": 16, "k": 3, "s": 2, "p": 1},
         (8, 16, 16, 15), "H_out = (32 + 2*1 - 3) // 2 + 1 = 16"),
        ("conv_output_size", {"H": 32, "k": 3, "s": 1, "p": 2, "d": 2}, 32, "2*(3 - 1)"),
        ("conv_transpose_output_size", {"H": 16, "k": 4, "s": 2, "p": 1}, 32, "= 32"),
        ("pool2d_output_shape", {"N": 1, "C": 64, "H": 7, "W": 8, "k": 3, "s": 2}, (1, 64, 3, 3), "= 3"),
        ("linear_output_shape", {"N": 32, "d_in": 784, "d_out": 10}, (32, 10), "(32, 10)"),
        ("linear_weight_grad_shape", {"N": 5, "d_in": 3, "d_out": 4}, (4, 3), "(4, 3)"),
        ("embedding_output_shape", {"B": 2, "T": 7, "V": 100, "D": 16}, (2, 7, 16), "(2, 7, 16)"),
        ("attention_scores_shape", {"B": 2, "h": 8, "Lq": 5, "Lk": 9, "d_model": 512}, (2, 8, 5, 9), "64"),
        ("mha_split_heads_shape", {"B": 2, "T": 10, "d_model": 768, "h": 12}, (2, 12, 10, 64), "64"),
        ("broadcast_shape", {"a": 3, "b": 4, "c": 5}, (3, 4, 5), "(3, 4, 5)"),
        ("im2col_shape", {"C": 3, "H": 5, "W": 5, "k": 3, "s": 1, "p": 0}, (27, 9), "27"),
        ("vit_tokens_shape", {"B": 1, "H": 224, "P": 16, "C": 3, "D": 768, "cls_token": True}, (1, 197, 768),
         "196 + 1"),
        ("linear_params", {"d_in": 784, "d_out": 10}, 7850, "7,850"),
        ("linear_flops", {"N": 2, "d_in": 3, "d_out": 4}, 48, "48"),
        ("conv2d_params", {"C_in": 3, "C_out": 64, "k": 3}, 1792, "1,792"),
        ("conv2d_params", {"C_in": 64, "C_out": 128, "k": 3, "groups": 4}, 18560, "16"),
        ("conv2d_flops", {"N": 1, "C_in": 1, "H": 3, "W": 3, "C_out": 1, "k": 3}, 18, "18"),
        ("mha_params", {"d_model": 512, "h": 8}, 4 * 512 * 512 + 4 * 512, "1,050,624"),
        ("lstm_params", {"d_in": 10, "hidden": 20}, 4 * (20 * 10 + 20 * 20 + 40), "2,560"),
        ("optimizer_memory_mb", {"params_m": 100, "optimizer": "adam"}, 1600, "1,600 MB"),
        ("scalar_chain_rule", {"w": 2, "x": 3, "y": 1}, 30, "2*5*3 = 30"),
        ("initial_cross_entropy", {"C": 10}, math.log(10), "ln(10)"),
        ("adam_bias_correction", {"beta_milli": 999, "t": 1}, 1000.0, "1 - 0.999^1"),
    ],
)
def test_worked_examples(name: str, params: dict[str, object], answer: object, in_working: str) -> None:
    calc = CALCULATORS[name]
    assert calc.is_valid(**params)
    result = calc(**params)
    if isinstance(answer, float):
        assert result.answer == pytest.approx(answer, rel=1e-6)
    else:
        assert result.answer == answer
    assert in_working in result.working


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("conv2d_output_shape", {"N": 1, "C_in": 1, "H": 2, "W": 8, "C_out": 1, "k": 5, "p": 1}),
        ("pool2d_output_shape", {"N": 1, "C": 1, "H": 4, "W": 4, "k": 2, "s": 2, "p": 2}),
        ("attention_scores_shape", {"B": 1, "h": 7, "Lq": 1, "Lk": 1, "d_model": 512}),
        ("conv2d_params", {"C_in": 6, "C_out": 4, "k": 3, "groups": 4}),
        ("vit_tokens_shape", {"B": 1, "H": 100, "P": 16, "C": 3, "D": 8}),
        ("norm_statistic_count", {"kind": "weird", "N": 1, "C": 4, "H": 1, "W": 1}),
        ("weights_memory_gb", {"params_b": 1, "dtype": "float8"}),
    ],
)
def test_predicates_reject_impossible_parameters(name: str, params: dict[str, object]) -> None:
    assert not CALCULATORS[name].is_valid(**params)


def test_registry_is_consistent() -> None:
    for name, calc in CALCULATORS.items():
        assert calc.name == name
        assert calc.kind in ("numeric", "shape")
        assert calc.required <= calc.accepted
        assert calc.summary, f"{name} has no docstring"
        assert calc.valid.__doc__, f"{name}'s predicate does not state its condition"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234567, "1,234,567"), (2.0, "2"), (0.0625, "0.0625"), ((3, 4), "(3, 4)"), ((5,), "(5,)"), ((), "()"),
     (1 / 3, "0.333333"), (float("inf"), "inf")],
)
def test_fmt(value: object, text: str) -> None:
    assert fmt(value) == text  # type: ignore[arg-type]
