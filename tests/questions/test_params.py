"""Every parameterised template, over 200 seeds: valid draws, and answers that an independent computation agrees with.

The oracles below do not call questions.calc: they count window positions, enumerate torch's parameter tensors,
simulate recurrences, take finite differences or run NumPy on (virtual) zero arrays. Where the engine has a
reference layer, shape answers are also checked by running that layer on zero arrays of the drawn shape.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from questions import check_answer, draw
from questions.calc import CALCULATORS, fmt
from questions.params import DrawError, compute
from questions.schema import Parameterised
from tests.questions.more_oracles import MORE_ORACLES

SEEDS = range(200)


def _templates() -> list[Parameterised]:
    from questions.loader import load_bank

    return [i for i in load_bank(include_user_dir=False) if isinstance(i, Parameterised)]


TEMPLATES = _templates()
IDS = [t.id for t in TEMPLATES]


# ---- independent oracles ------------------------------------------------------------------------------------


def positions(size: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """How many places a (dilated) window can start in a padded axis, counted one by one."""
    span = d * (k - 1) + 1
    return len(range(0, size + 2 * p - span + 1, s))


def virtual(*shape: int) -> np.ndarray:
    """A zero array of any shape that takes no memory."""
    return np.broadcast_to(np.zeros((), dtype=np.int8), shape)


def n_params(*shapes: tuple[int, ...]) -> int:
    return sum(math.prod(s) for s in shapes)


def sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def centred(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def _bce(z: int, y: int) -> float:
    p = sigmoid(z)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    out: np.ndarray = e / e.sum()
    return out


def _momentum(g: int, mu_pct: int, t: int) -> float:
    v = 0.0
    for _ in range(t):
        v = mu_pct / 100 * v + g
    return v


def _adam_correction(beta_milli: int, t: int) -> float:
    v = 0.0
    for _ in range(t):  # a constant squared gradient of 1: the corrected estimate must be 1
        v = beta_milli / 1000 * v + (1 - beta_milli / 1000) * 1.0
    return 1 / v


def _smoothed_target(eps_pct: int, C: int) -> float:
    onehot = np.eye(C)[0]
    return float(((1 - eps_pct / 100) * onehot + eps_pct / 100 / C)[0])


def _mlp_flops(N: int, d_in: int, h: int, d_out: int) -> int:
    return sum(2 * N * a * b for a, b in ((d_in, h), (h, d_out)))


def _pool_flatten(H: int, C_in: int, C_out: int, k: int, s: int = 1, p: int = 0, pool: int = 2) -> int:
    hc = positions(H, k, s, p)
    return C_out * positions(hc, pool, pool) ** 2


def _norm_reduced(kind: str, N: int, C: int, H: int, W: int, G: int = 1) -> tuple[int, int]:
    """(statistics, values per statistic) from the axes each norm reduces over, on a (N, G, C/G, H, W) view."""
    shape = (N, G, C // G, H, W) if kind == "group" else (N, C, H, W)
    axes = {"batch": (0, 2, 3), "layer": (1, 2, 3), "instance": (2, 3), "group": (2, 3, 4)}[kind]
    kept = [n for i, n in enumerate(shape) if i not in axes]
    reduced = [n for i, n in enumerate(shape) if i in axes]
    return math.prod(kept), math.prod(reduced)


ORACLES: dict[str, Callable[..., Any]] = {
    "conv2d_output_shape": lambda N, C_in, H, W, C_out, k, s=1, p=0, d=1: (
        N, C_out, positions(H, k, s, p, d), positions(W, k, s, p, d)),
    "conv_output_size": lambda H, k, s=1, p=0, d=1: positions(H, k, s, p, d),
    "conv_transpose_output_size": lambda H, k, s=1, p=0, output_padding=0: (
        max(i * s + j for i in range(H) for j in range(k)) + 1 - 2 * p + output_padding),
    "pool2d_output_shape": lambda N, C, H, W, k, s, p=0: (N, C, positions(H, k, s, p), positions(W, k, s, p)),
    "linear_output_shape": lambda N, d_in, d_out: (np.zeros((N, d_in)) @ np.zeros((d_out, d_in)).T).shape,
    "linear_sequence_output_shape": lambda B, T, d_in, d_out: (
        *virtual(B, T, d_in).shape[:-1], (np.zeros((1, d_in)) @ np.zeros((d_in, d_out))).shape[-1]),
    "linear_weight_grad_shape": lambda N, d_in, d_out: (np.zeros((N, d_out)).T @ np.zeros((N, d_in))).shape,
    "embedding_output_shape": lambda B, T, V, D: np.zeros((min(V, 3), D))[np.zeros((B, T), dtype=int)].shape,
    "attention_scores_shape": lambda B, h, Lq, Lk, d_model: (
        B, h, *(virtual(Lq, d_model // h) @ virtual(Lk, d_model // h).T).shape),
    "attention_output_shape": lambda B, Lq, Lk, d_k, d_v: (
        np.zeros((B, Lq, d_k)) @ np.zeros((B, Lk, d_k)).transpose(0, 2, 1) @ np.zeros((B, Lk, d_v))).shape,
    "mha_split_heads_shape": lambda B, T, d_model, h: virtual(B, T, d_model).reshape(
        B, T, h, d_model // h).transpose(0, 2, 1, 3).shape,
    "batched_matmul_shape": lambda B, h, m, k, n: np.matmul(np.zeros((B, 1, m, k)), np.zeros((h, k, n))).shape,
    "broadcast_shape": lambda a, b, c: np.broadcast_shapes((a, 1, c), (b, 1)),
    "lstm_output_shape": lambda B, T, d_in, hidden, bidirectional=False: (B, T, hidden * (1 + int(bidirectional))),
    "im2col_shape": lambda C, H, W, k, s=1, p=0: (lambda win: (C * k * k, win.shape[1] * win.shape[2]))(
        np.lib.stride_tricks.sliding_window_view(np.zeros((C, H + 2 * p, W + 2 * p)), (k, k), axis=(1, 2))[
            :, ::s, ::s]),
    "vit_tokens_shape": lambda B, H, P, C, D, cls_token=False: (
        B, virtual(C, H // P, P, H // P, P)[0, :, 0, :, 0].size + int(cls_token), D),
    "flatten_shape": lambda N, C, H, W: virtual(N, C, H, W).reshape(N, -1).shape,
    "conv_pool_flatten_features": _pool_flatten,
    "linear_params": lambda d_in, d_out, bias=True: n_params((d_out, d_in), (d_out,) if bias else (0,)),
    "linear_flops": lambda N, d_in, d_out: 2 * (N * d_out) * d_in,
    "mlp_params": lambda d_in, h1, h2, d_out: n_params((h1, d_in), (h1,), (h2, h1), (h2,), (d_out, h2), (d_out,)),
    "mlp_forward_flops": _mlp_flops,
    "conv2d_params": lambda C_in, C_out, k, bias=True, groups=1: n_params(
        (C_out, C_in // groups, k, k), (C_out,) if bias else (0,)),
    "conv2d_flops": lambda N, C_in, H, W, C_out, k, s=1, p=0: 2 * N * C_out * positions(H, k, s, p) * positions(
        W, k, s, p) * C_in * k * k,
    "depthwise_separable_params": lambda C_in, C_out, k: n_params(
        (C_in, 1, k, k), (C_in,), (C_out, C_in, 1, 1), (C_out,)),
    "embedding_params": lambda V, D: n_params((V, D)),
    "mha_params": lambda d_model, h, bias=True: n_params(
        (3 * d_model, d_model), (3 * d_model,), (d_model, d_model), (d_model,)),
    "transformer_block_params": lambda d_model, d_ff: n_params(
        (3 * d_model, d_model), (3 * d_model,), (d_model, d_model), (d_model,),  # attention
        (d_ff, d_model), (d_ff,), (d_model, d_ff), (d_model,),  # feed-forward
        (d_model,), (d_model,), (d_model,), (d_model,)),  # two LayerNorms
    "swiglu_ffn_params": lambda d_model, d_ff: n_params((d_ff, d_model), (d_ff, d_model), (d_model, d_ff)),
    "attention_core_flops": lambda B, T, d_model: B * (2 * T * d_model * T + 2 * T * T * d_model),
    "rnn_params": lambda d_in, hidden: n_params((hidden, d_in), (hidden, hidden), (hidden,), (hidden,)),
    "lstm_params": lambda d_in, hidden: n_params(
        (4 * hidden, d_in), (4 * hidden, hidden), (4 * hidden,), (4 * hidden,)),
    "layernorm_params": lambda D: n_params((D,), (D,)),
    "batchnorm_values": lambda C, running=False: n_params(*[(C,)] * (4 if running else 2)),
    "norm_elements_per_statistic": lambda kind, N, C, H, W, G=1: _norm_reduced(kind, N, C, H, W, G)[1],
    "norm_statistic_count": lambda kind, N, C, H, W, G=1: _norm_reduced(kind, N, C, H, W, G)[0],
    "tensor_memory_mb": lambda N, C, H, W, bytes_per_value=4: math.prod((N, C, H, W)) * bytes_per_value / 1e6,
    "mlp_activation_memory_mb": lambda B, width, layers, bytes_per_value=4: sum(
        B * width * bytes_per_value for _ in range(layers)) / 1e6,
    "attention_matrix_memory_mb": lambda B, h, T, bytes_per_value=4: math.prod((B, h, T, T)) * bytes_per_value / 1e6,
    "kv_cache_gb": lambda layers, B, T, d_model, bytes_per_value=2: sum(
        math.prod((B, T, d_model)) * bytes_per_value for _ in range(2 * layers)) / 1e9,
    "optimizer_memory_mb": lambda params_m, optimizer, bytes_per_value=4: params_m * 1e6 * bytes_per_value * len(
        {"sgd": ["w", "g"], "momentum": ["w", "g", "v"], "adam": ["w", "g", "m", "v"]}[optimizer]) / 1e6,
    "weights_memory_gb": lambda params_b, dtype: params_b * 1e9 * (
        2 if dtype == "bfloat16" else np.dtype(dtype).itemsize) / 1e9,
    "softmax_probability": lambda z1, z2, z3, index: float(_softmax(np.array([z1, z2, z3], float))[index - 1]),
    "logsumexp3": lambda z1, z2, z3: float(np.log(np.exp(np.array([z1, z2, z3], float)).sum())),
    "softmax_temperature_probability": lambda z1, z2, T: float(_softmax(np.array([z1, z2], float) / T)[0]),
    "cross_entropy_from_probability": lambda p_pct: float(-np.log(p_pct / 100)),
    "initial_cross_entropy": lambda C: float(-np.log(_softmax(np.zeros(C))[0])),
    "bce_with_logits": _bce,
    "label_smoothing_target": _smoothed_target,
    "mse_gradient": lambda pred, target, n: centred(lambda v: ((v - target) ** 2 + 0.0 * (n - 1)) / n, pred),
    "scalar_chain_rule": lambda w, x, y: centred(lambda v: (v * x - y) ** 2, w),
    "sigmoid_derivative": lambda x: centred(sigmoid, x),
    "tanh_derivative": lambda x: centred(math.tanh, x),
    "sigmoid_gradient_bound": lambda L: max(centred(sigmoid, float(x)) for x in np.linspace(-3, 3, 601)) ** L,
    "kaiming_std_conv": lambda C_in, k: (2 / (C_in * k * k)) ** 0.5,
    "xavier_uniform_bound": lambda fan_in, fan_out: (3 * 2 / (fan_in + fan_out)) ** 0.5,
    "gradcheck_forward_passes": lambda P: sum(2 for _ in range(P)),
    "sgd_momentum_velocity": _momentum,
    "adam_bias_correction": _adam_correction,
    "warmup_lr": lambda peak_e4, warmup, step: peak_e4 / 10_000 * (step / warmup),
    "cosine_lr": lambda peak_e4, total, step: peak_e4 / 10_000 * (0.5 + 0.5 * math.cos(step / total * math.pi)),
    "training_steps": lambda N, B, epochs: len(range(0, N, B)) * epochs,
    "effective_batch_size": lambda B, accum, devices: math.prod((B, accum, devices)),
    "dropout_kept_value": lambda x, p_pct: x * (1 / (1 - p_pct / 100)),
    "dropout_expected_zeros": lambda n, p_pct: n * p_pct / 100,
    "bn_running_mean_update": lambda running, batch_mean, momentum_pct: running + momentum_pct / 100 * (
        batch_mean - running),
    "batchnorm_eval_output": lambda x, mean, var, gamma, beta: gamma * (x - mean) / math.sqrt(var + 1e-5) + beta,
}
ORACLES.update(MORE_ORACLES)


def agree(answer: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):
        return tuple(answer) == tuple(int(d) for d in expected)
    return math.isclose(float(answer), float(expected), rel_tol=1e-6, abs_tol=1e-9)


# ---- the tests ----------------------------------------------------------------------------------------------


def test_there_are_templates() -> None:
    assert len(TEMPLATES) >= 34


def test_every_calculator_a_template_uses_has_an_oracle() -> None:
    missing = {t.calculator for t in TEMPLATES} - set(ORACLES)
    assert not missing


@pytest.mark.parametrize("item", TEMPLATES, ids=IDS)
def test_template_draws_are_valid_and_agree_with_an_independent_computation(item: Parameterised) -> None:
    calc = CALCULATORS[item.calculator]
    oracle = ORACLES[item.calculator]
    for seed in SEEDS:
        d = draw(item, seed)
        for name, spec in item.params.items():
            v = d.params[name]
            if spec.choices is not None:
                assert v in spec.choices
            else:
                assert spec.min is not None and spec.max is not None
                assert spec.min <= v <= spec.max and (v - spec.min) % spec.step == 0  # type: ignore[operator]
        assert calc.is_valid(**d.params)
        assert "{" not in d.prompt, d.prompt
        expected = oracle(**d.params)
        assert agree(d.answer, expected), f"seed {seed}: {d.params}: calc {d.answer} != oracle {expected}"
        if item.answer_kind == "shape":
            assert isinstance(d.answer, tuple) and all(isinstance(n, int) and n > 0 for n in d.answer)
        else:
            assert not isinstance(d.answer, tuple) and math.isfinite(d.answer)
        if isinstance(d.answer, int | tuple):
            assert fmt(d.answer) in d.working, f"the working does not state {fmt(d.answer)}:\n{d.working}"
        result = check_answer(item, fmt(d.answer), d)
        assert result.correct, (fmt(d.answer), result)


@pytest.mark.parametrize("item", TEMPLATES, ids=IDS)
def test_draws_are_deterministic_and_vary(item: Parameterised) -> None:
    assert draw(item, 7) == draw(item, 7)
    sizes = [len(s.choices) if s.choices is not None else ((s.max or 0) - (s.min or 0)) // s.step + 1
             for s in item.params.values()]
    if math.prod(sizes) > 1:
        assert len({tuple(sorted(draw(item, s).params.items())) for s in range(20)}) > 1


def test_an_impossible_template_fails_with_a_clear_error() -> None:
    item = Parameterised.model_validate({
        "id": "t.impossible", "type": "parameterised", "topic": "shapes_broadcasting", "difficulty": "easy",
        "prompt": "conv on {H}", "answer_kind": "numeric", "calculator": "conv_output_size",
        "params": {"H": {"min": 1, "max": 2}}, "fixed": {"k": 7},
    })
    with pytest.raises(DrawError, match=r"t.impossible: no valid parameters .* window fits"):
        draw(item, 0, max_attempts=50)


def test_compute_with_given_params_and_render() -> None:
    item = next(t for t in TEMPLATES if t.id == "param.conv-out-shape")
    params = {"N": 8, "C_in": 3, "H": 32, "W": 32, "C_out": 16, "k": 3, "s": 2, "p": 1}
    d = compute(item, params)
    assert d.answer == (8, 16, 16, 16)
    assert "(8, 3, 32, 32)" in d.prompt and "stride=2" in d.prompt
    assert "H_out = (32 + 2*1 - 3) // 2 + 1 = 16" in d.working


# ---- the engine's reference layers, run on zero arrays of the drawn shapes ----------------------------------


def engine_fn(module: str, name: str) -> Callable[..., Any]:
    try:
        fn: Callable[..., Any] = getattr(importlib.import_module(f"engine.tasks.{module}"), name)
    except (ImportError, AttributeError):
        pytest.skip(f"engine.tasks.{module}.{name} is not there yet")
    return fn


def _small(n: int, cap: int = 2) -> int:
    return min(n, cap)


def _drawn(template_id: str) -> list[dict[str, Any]]:
    item = next((t for t in TEMPLATES if t.id == template_id), None)
    if item is None:
        pytest.skip(f"no template {template_id}")
    unique = {tuple(sorted(draw(item, s).params.items())) for s in SEEDS}
    return [dict(u) for u in unique]


def _shape(template_id: str, params: dict[str, Any]) -> tuple[int, ...]:
    item = next(t for t in TEMPLATES if t.id == template_id)
    answer = compute(item, {k: v for k, v in params.items() if k in item.params}).answer
    assert isinstance(answer, tuple)
    return answer


def test_conv_shapes_match_engine_conv2d() -> None:
    conv = engine_fn("conv2d", "conv2d_forward")
    for p in _drawn("param.conv-out-shape"):
        # Batch and channel counts are shrunk (they only pass through); the spatial sizes are the drawn ones.
        n, c, f = _small(p["N"]), _small(p["C_in"], 3), _small(p["C_out"], 3)
        y = conv(np.zeros((n, c, p["H"], p["W"])), np.zeros((f, c, p["k"], p["k"])), np.zeros(f),
                 stride=p["s"], padding=p["p"])
        expected = _shape("param.conv-out-shape", p)
        assert y.shape == (n, f, *expected[2:]), p
        assert expected[:2] == (p["N"], p["C_out"])


def test_pool_shapes_match_engine_maxpool2d() -> None:
    pool = engine_fn("maxpool2d", "maxpool2d_forward")
    for p in _drawn("param.pool-out-shape"):
        y = pool(np.zeros((_small(p["N"]), _small(p["C"]), p["H"], p["W"])), kernel_size=p["k"], stride=p["s"])
        expected = _shape("param.pool-out-shape", p)
        assert y.shape == (_small(p["N"]), _small(p["C"]), *expected[2:]), p


def test_conv_pool_flatten_matches_engine_layers() -> None:
    conv = engine_fn("conv2d", "conv2d_forward")
    pool = engine_fn("maxpool2d", "maxpool2d_forward")
    item = next(t for t in TEMPLATES if t.id == "param.conv-pool-flatten")
    for p in _drawn("param.conv-pool-flatten"):
        y = conv(np.zeros((1, p["C_in"], p["H"], p["H"])), np.zeros((p["C_out"], p["C_in"], p["k"], p["k"])),
                 np.zeros(p["C_out"]), stride=p["s"], padding=p["p"])
        z = pool(y, kernel_size=p["pool"], stride=p["pool"])
        assert compute(item, p).answer == z[0].size, p


def test_linear_shapes_match_engine_linear() -> None:
    forward = engine_fn("linear", "linear_forward")
    backward = engine_fn("linear", "linear_backward")
    for p in _drawn("param.linear-out-shape"):
        W = np.zeros((p["d_out"], p["d_in"]))
        y = forward(np.zeros((p["N"], p["d_in"])), W, np.zeros(p["d_out"]))
        assert y.shape == _shape("param.linear-out-shape", p)
    for p in _drawn("param.linear-weight-grad-shape"):
        x, W = np.zeros((p["N"], p["d_in"])), np.zeros((p["d_out"], p["d_in"]))
        _dx, dW, _db = backward(np.zeros((p["N"], p["d_out"])), x, W, np.zeros(p["d_out"]))
        assert dW.shape == _shape("param.linear-weight-grad-shape", p)


def test_embedding_shapes_match_engine_embedding() -> None:
    forward = engine_fn("embedding", "embedding_forward")
    for p in _drawn("param.embedding-out-shape"):
        # ids are all 0, so a short table gives the same output shape as the full (V, D) one.
        out = forward(np.zeros((p["B"], p["T"]), dtype=np.int64), np.zeros((_small(p["V"], 4), p["D"])))
        assert out.shape == _shape("param.embedding-out-shape", p)


def test_attention_shapes_match_engine_attention() -> None:
    forward = engine_fn("attention", "attention_forward")
    for p in _drawn("param.attention-out-shape"):
        out = forward(np.zeros((p["B"], p["Lq"], p["d_k"])), np.zeros((p["B"], p["Lk"], p["d_k"])),
                      np.zeros((p["B"], p["Lk"], p["d_v"])))
        assert out.shape == _shape("param.attention-out-shape", p)
    checked: set[tuple[int, int, int]] = set()
    for p in _drawn("param.attention-scores-shape"):
        # The weights are what attention returns for V = the identity over keys: (..., Lq, Lk). Batch and heads
        # are shrunk to 1 (they only pass through).
        dh = p["d_model"] // p["h"]
        if (p["Lq"], p["Lk"], dh) in checked:
            continue
        checked.add((p["Lq"], p["Lk"], dh))
        V = np.eye(p["Lk"])[None, None]
        weights = forward(np.zeros((1, 1, p["Lq"], dh)), np.zeros((1, 1, p["Lk"], dh)), V)
        assert weights.shape[2:] == _shape("param.attention-scores-shape", p)[2:]


def test_batchnorm_eval_matches_engine_batchnorm() -> None:
    forward = engine_fn("batchnorm", "batchnorm_forward")
    item = next(t for t in TEMPLATES if t.id == "param.batchnorm-eval-output")
    for p in _drawn("param.batchnorm-eval-output"):
        one = np.ones(1)
        y, _m, _v = forward(np.full((1, 1), float(p["x"])), p["gamma"] * one, p["beta"] * one, p["mean"] * one,
                            p["var"] * one, False)
        assert compute(item, p).answer == pytest.approx(float(y[0, 0]), abs=1e-9)
