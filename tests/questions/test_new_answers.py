"""Second reader for the second-edition decks (issue 15.4): every fixed numeric and shape answer in the new deck
files is recomputed here from its prompt, independently of the file (simulations with NumPy where the item
describes a procedure), and must agree with the stored answer within the item's own tolerance."""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import product

import numpy as np
import pytest

from questions.loader import BANK_DIR, Bank
from questions.schema import Numeric, ShapeItem
from tests.questions.more_oracles import bottleneck_params, gpt2_tensors, receptive_field_stack
from tests.questions.test_new_decks import NEW_FILES


def softmax(z: list[float] | np.ndarray) -> np.ndarray:
    a = np.asarray(z, dtype=np.float64)
    e = np.exp(a - a.max())
    return e / e.sum()


def sigmoid(x: float) -> float:
    return float(1 / (1 + np.exp(-x)))


def nucleus(p: list[float], top_p: float) -> list[float]:
    """The kept probabilities of top-p filtering, found by adding tokens until the mass reaches top_p."""
    kept: list[float] = []
    for q in sorted(p, reverse=True):
        kept.append(q)
        if sum(kept) >= top_p - 1e-12:
            break
    return kept


def best_beam2() -> float:
    """Enumerate all two-step sequences of the item and keep the two best prefixes, as beam width 2 does."""
    step1 = {"A": 0.6, "B": 0.4}
    step2_best = {"A": 0.4, "B": 0.9}
    beams = sorted(step1, key=step1.__getitem__, reverse=True)[:2]
    return max(step1[b] * step2_best[b] for b in beams)


def maxpool1d_backward(x: list[float], k: int, upstream: list[float]) -> np.ndarray:
    dx = np.zeros(len(x))
    for i, g in enumerate(upstream):
        window = x[i : i + k]
        np.add.at(dx, i + int(np.argmax(window)), g)
    return dx


def resnet50_params() -> int:
    total = 7 * 7 * 3 * 64 + 2 * 64
    for width, blocks, c_in in ((64, 3, 64), (128, 4, 256), (256, 6, 512), (512, 3, 1024)):
        total += bottleneck_params(c_in, width, True) + (blocks - 1) * bottleneck_params(4 * width, width)
    return total + 2048 * 1000 + 1000


def bert_base_params() -> int:
    d, ff = 768, 3072
    shapes: list[tuple[int, ...]] = [(30522, d), (512, d), (2, d), (d,), (d,)]
    block = [(d, d), (d,)] * 4 + [(d,), (d,), (ff, d), (ff,), (d, ff), (d,), (d,), (d,)]
    shapes += block * 12 + [(d, d), (d,)]
    return sum(math.prod(s) for s in shapes)


def silu_min() -> float:
    xs = np.linspace(-4, 0, 400_001)
    return float((xs / (1 + np.exp(-xs))).min())


def rotate(v: tuple[float, float], angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]]) @ np.array(v)


def zero_point(lo: float, hi: float) -> int:
    scale = (hi - lo) / 255
    codes = np.arange(256)
    return int(codes[np.argmin(np.abs(lo + codes * scale))])  # the code whose value is closest to 0.0


def pipeline_bubble(stages: int, micro: int) -> float:
    """Simulate a GPipe forward schedule: stage s works on micro-batch m in slot s + m."""
    slots = micro + stages - 1
    busy = np.zeros((stages, slots), dtype=bool)
    for s, m in product(range(stages), range(micro)):
        busy[s, s + m] = True
    return float(1 - busy.mean())


RECOMPUTED: dict[str, Callable[[], object]] = {
    "llm.mqa-cache-value": lambda: 2 * 48 * 1 * 128 * 8192 * 32 * 2 / 1e9,
    "llm.decode-bandwidth-bound": lambda: 2e12 / (7e9 * 2),
    "llm.greedy-misses-best": best_beam2,
    "llm.top-p-nucleus-size": lambda: len(nucleus([0.05, 0.5, 0.1, 0.2, 0.15], 0.8)),
    "llm.top-p-renormalised": lambda: 0.5 / sum(nucleus([0.5, 0.2, 0.15, 0.1, 0.05], 0.8)),
    "llm.top-k-renormalised": lambda: 0.3 / sum(sorted([0.4, 0.3, 0.2, 0.1])[-2:]),
    "llm.batched-throughput": lambda: 32 / 0.020,
    "cnn.output-stride": lambda: 320 // 2**5,
    "llm.decode-compute-bound-batch": lambda: (300e12 / 2e12) * 2 / 2,
    "scale.pipeline-bubble": lambda: pipeline_bubble(4, 12),
    "scale.moe-aux-loss-value": lambda: 4 * float(np.dot([0.4, 0.3, 0.2, 0.1], [0.4, 0.3, 0.2, 0.1])),
    "scale.moe-capacity": lambda: 1.25 * 4096 * 2 / 8,
    "scale.gradient-noise-scale": lambda: next(b for b in range(1, 10_000) if 400 / b <= 0.5),
    "cnn.dense-vs-conv-params": lambda: (3 * 32 * 32) * (16 * 32 * 32) + 16 * 32 * 32,
    "cnn.three-3x3-params": lambda: 3 * math.prod((64, 64, 3, 3)),
    "cnn.one-by-one-params": lambda: 256 * 64 + 64,
    "cnn.resnet50-params": lambda: resnet50_params() / 1e6,
    "cnn.dilated-same-padding": lambda: next(p for p in range(10) if 32 + 2 * p - 2 * (3 - 1) - 1 + 1 == 32),
    "shapes.gqa-expanded-keys": lambda: list(np.repeat(np.zeros((2, 8, 128, 64), np.int8), 32 // 8, axis=1).shape),
    "shapes.moe-router-logits": lambda: list((np.zeros((4, 512, 16)).reshape(-1, 16) @ np.zeros((16, 8))).shape),
    "shapes.moco-logits": lambda: list(np.concatenate([np.zeros((256, 1)), np.zeros((256, 65536))], axis=1).shape),
    "cnn.resnet-stem-receptive-field": lambda: 1 + (7 - 1) + (3 - 1) * 2,
    "cnn.receptive-field-mixed": lambda: receptive_field_stack(2, 3, 1) + 1 + 2 * 2 * 2,
    "reg.l2-penalty-gradient": lambda: (0.05 * (4 + 1e-6) ** 2 - 0.05 * (4 - 1e-6) ** 2) / 2e-6,
    "reg.sgd-weight-decay-step": lambda: 2.0 - 0.1 * (0.0 + 0.01 * 2.0),
    "reg.adamw-decay-half-life": lambda: math.log(2) / -math.log1p(-1e-3 * 0.1),
    "reg.bias-variance-value": lambda: 0.3**2 + 0.05 + 0.1,
    "reg.ensemble-variance": lambda: float(np.full((5, 5), 0.5 * 0.2).sum() + 5 * 0.5 * 0.2) / 25,
    "bwd.softmax-jacobian-offdiag": lambda: (softmax(np.log([0.5, 0.3, 0.2]) + np.array([0, 1e-6, 0]))[0] - 0.5) / 1e-6,
    "bwd.softmax-jacobian-diag": lambda: (softmax(np.log([0.5, 0.3, 0.2]) + np.array([1e-6, 0, 0]))[0] - 0.5) / 1e-6,
    "bwd.ce-grad-wrt-probability-value": lambda: (-math.log(0.25 + 1e-7) + math.log(0.25 - 1e-7)) / 2e-7,
    "bwd.ce-chain-to-logit": lambda: (softmax(np.log([0.5, 0.3, 0.2])) - [0, 1, 0])[0],
    "bwd.maxpool-backward-overlap": lambda: maxpool1d_backward([1, 5, 2, 4, 3], 3, [1, 2, 3])[1],
    "bwd.batchnorm-dbeta": lambda: sum([0.5, -1.0, 2.0, 0.5]),
    "bwd.layernorm-dgamma-shape": lambda: [512],
    "bwd.ce-grad-soft-target": lambda: -0.5 / 0.25,
    "stab.z-loss-value": lambda: 1e-4 * float(np.log(np.exp([2.0, 0.0, 0.0]).sum())) ** 2,
    "stab.qk-dot-std": lambda: math.sqrt(64 * 1 * 1),
    "init.gpt2-residual-std": lambda: 0.02 / math.sqrt(2 * 12),
    "init.prior-bias-value": lambda: -math.log(1 / 0.01 - 1),
    "init.prior-bias-softmax-loss": lambda: float(
        -(np.array([0.7, 0.2, 0.1]) * np.log(softmax(np.log([0.7, 0.2, 0.1])))).sum()),
    "kl.value": lambda: float(np.sum([0.5, 0.5] * np.log(np.array([0.5, 0.5]) / [0.9, 0.1]))),
    "kl.soft-target-value": lambda: softmax(np.array([3, 1, 0]) / 2)[0],
    "contrastive.infonce-value": lambda: -math.log(softmax(np.array([0.8, 0.2, 0.1, 0.0]) / 0.1)[0]),
    "contrastive.initial-loss": lambda: -math.log(softmax(np.zeros(256))[0]),
    "contrastive.triplet": lambda: max(0.0, 0.5 - 0.8 + 0.5),
    "imbalance.focal-value": lambda: -(1 - 0.9) ** 2 * math.log(0.9),
    "imbalance.weighted-ce-value": lambda: float(np.average([0.2, 1.0], weights=[1.0, 4.0])),
    "pos.sinusoidal-value": lambda: math.sin(2 * math.exp(-math.log(10000) * 2 / 512)),
    "pos.rope-score": lambda: float(rotate((1, 0), 5 * 0.3) @ rotate((1, 0), 2 * 0.3)),
    "pos.rope-rotate": lambda: rotate((1, 0), 3 * 0.5)[1],
    "pos.alibi-bias": lambda: -0.25 * (10 - 4),
    "params.bert-base": lambda: bert_base_params() / 1e6,
    "params.learned-position-table": lambda: gpt2_tensors(12, 768, 50257, 1024)[1][0] * 768,
    "params.untied-head-cost": lambda: 128256 * 4096 / 1e6,
    "quant.zero-point": lambda: zero_point(-1.0, 3.0),
    "quant.int4-max-error": lambda: float(np.max(np.abs(np.linspace(-1.4, 1.4, 100_001) - np.clip(np.round(
        np.linspace(-1.4, 1.4, 100_001) / 0.2), -7, 7) * 0.2))),
    "act.silu-value": lambda: 1 * sigmoid(1),
    "act.silu-minimum": silu_min,
    "act.softplus-zero": lambda: float(np.logaddexp(0, 0)),
    "act.hard-swish": lambda: 1 * min(max(1 + 3, 0), 6) / 6,
    "act.relu-zero-fraction": lambda: float(np.mean(np.maximum(np.random.default_rng(0).standard_normal(200_000), 0)
                                                    == 0)),
    "dbg.update-ratio": lambda: 0.05 / 10,
    "fwd.moe-top2-output": lambda: float(softmax([2.0, 1.0]) @ [4, -2]),
    "fwd.gqa-head-mapping": lambda: next(h for h in range(8) if 13 in range(4 * h, 4 * h + 4)),
    "fwd.tiny-attention": lambda: float(softmax(np.array([[2, 0], [0, 2]]) @ [1, 0] / math.sqrt(2)) @ [10, 0]),
    "fwd.tied-head-logit": lambda: float(np.dot([1, 2, -1], [0.5, 0.5, 1])),
    "fwd.cached-decode-scores-shape": lambda: list(np.einsum("bhqd,bhkd->bhqk", np.zeros((4, 32, 1, 8)),
                                                            np.zeros((4, 32, 101, 8))).shape),
    "optmem.adafactor-state": lambda: 4096 + 11008,
    "optmem.eight-bit-adam": lambda: (2 * 4 - 2 * 1) * 7e9 / 1e9,
}


def _fixed_answer_items(bank: Bank) -> list[Numeric | ShapeItem]:
    files = {BANK_DIR / n for n in NEW_FILES}
    return [i for i in bank if isinstance(i, Numeric | ShapeItem) and bank.sources[i.id] in files]


def test_every_fixed_answer_in_the_new_decks_is_recomputed(bank: Bank) -> None:
    assert {i.id for i in _fixed_answer_items(bank)} == set(RECOMPUTED)


@pytest.mark.parametrize("item_id", sorted(RECOMPUTED))
def test_stored_answer_agrees_with_the_recomputation(bank: Bank, item_id: str) -> None:
    item = bank.get(item_id)
    value = RECOMPUTED[item_id]()
    if isinstance(item, ShapeItem):
        assert list(item.answer) == value
        return
    assert isinstance(item, Numeric) and isinstance(value, int | float | np.floating | np.integer)
    tol = item.tolerance
    allowed = tol.value if tol.kind == "abs" else tol.value * abs(float(value))
    if item_id == "act.relu-zero-fraction":
        allowed = max(allowed, 0.005)  # a Monte Carlo estimate
    assert abs(item.answer - float(value)) <= allowed + 1e-12, (item.answer, value)
