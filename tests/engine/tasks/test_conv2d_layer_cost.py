"""Task ``conv2d_layer_cost``: the formula against a real convolution's shapes and a brute-force count, cases,
integer judging and detectors."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from engine.task import Call, CallResult, Case
from engine.tasks import get_task
from engine.tasks.conv2d import conv2d_forward
from engine.tasks.conv2d_layer_cost import _SENTENCES, _variants, conv2d_layer_cost, output_size
from tests.engine.tasks.support import task_text

TASK_ID = "conv2d_layer_cost"
TASK = get_task(TASK_ID)
SEEDS = range(0, 4000, 100)  # hidden sizes are drawn per grade: what holds for the cases holds for every seed's


def _brute_force(b: int, c_in: int, c_out: int, h: int, w: int, k: int, s: int, p: int, bias: bool) -> tuple[int, int]:
    """Slide the window over the padded input and count 2 FLOPs per tap (+1 per bias add)."""
    ops = 0
    for _n in range(b):
        for _f in range(c_out):
            for top in range(0, h + 2 * p - k + 1, s):
                for left in range(0, w + 2 * p - k + 1, s):
                    assert top + k <= h + 2 * p and left + k <= w + 2 * p
                    ops += 2 * c_in * k * k + (1 if bias else 0)
    weights = np.zeros((c_out, c_in, k, k))
    return ops, weights.size + (c_out if bias else 0)


def _args(call: Call) -> tuple[Any, ...]:
    a = call.args
    return (
        a["batch"], a["in_channels"], a["out_channels"], a["height"], a["width"], a["kernel_size"],
        a.get("stride", 1), a.get("padding", 0), a.get("bias", True),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_reference_matches_a_brute_force_count_on_every_small_case(seed: int) -> None:
    checked = 0
    for case in TASK.cases(seed):
        args = _args(case.calls[0])
        if args[0] * args[2] * args[3] * args[4] > 20_000:
            continue
        assert conv2d_layer_cost(*args) == _brute_force(*args), case.name
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize(
    ("h", "w", "k", "s", "p"), [(6, 5, 3, 1, 0), (7, 8, 3, 2, 1), (10, 13, 5, 3, 2), (4, 4, 4, 2, 0), (9, 6, 1, 2, 0)]
)
def test_output_size_matches_a_real_convolution(h: int, w: int, k: int, s: int, p: int) -> None:
    rng = np.random.default_rng(h * w + k)
    y = conv2d_forward(rng.standard_normal((1, 2, h, w)), rng.standard_normal((3, 2, k, k)), np.zeros(3), s, p)
    assert y.shape[2:] == (output_size(h, k, s, p), output_size(w, k, s, p))
    flops, n_params = conv2d_layer_cost(1, 2, 3, h, w, k, s, p, True)
    assert n_params == 3 * 2 * k * k + 3
    assert flops == y.size * (2 * 2 * k * k + 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_cases_cover_stride_padding_floor_and_bias(seed: int) -> None:
    args = [_args(c.calls[0]) for c in TASK.cases(seed)]
    assert {s for *_, s, _p, _b in args} >= {1, 2, 3}
    assert {p for *_, p, _b in args} >= {0, 1, 2}
    assert {b for *_, b in args} == {True, False}
    assert any((h + 2 * p - k) % s or (w + 2 * p - k) % s for _b, _i, _o, h, w, k, s, p, _ in args)
    assert 1 in {a[0] for a in args} and any(a[3] != a[4] for a in args)
    raw = [c.calls[0].args for c in TASK.cases(seed)]
    assert any("stride" not in a and "padding" not in a and "bias" not in a for a in raw)  # the defaults


@pytest.mark.parametrize("seed", SEEDS)
def test_every_single_mistake_is_told_apart_on_some_case(seed: int) -> None:
    seen: set[tuple[str, str]] = set()
    for case in TASK.cases(seed):
        args = case.calls[0].args
        expected = TASK.expected_outputs(case.calls[0])
        for output in ("flops", "params"):
            singles = [(m, v) for m, v in _variants(args, output) if len(m) == 1]
            for mistakes, value in singles:
                others = [v for m, v in singles if m != mistakes]
                if value != float(expected[output]) and all(abs(value - o) > 1e-9 * abs(o) for o in others):
                    seen.add((output, next(iter(mistakes))))
    assert set(_SENTENCES) <= seen


def test_topic() -> None:
    assert task_text(TASK_ID).topic == "flops_params_memory"


def test_fractional_output_size_is_named() -> None:
    args = {"batch": 2, "in_channels": 3, "out_channels": 4, "height": 7, "width": 8, "kernel_size": 3,
            "stride": 2, "padding": 1}
    call = Call("conv2d_layer_cost", args)
    h = (7 + 2 - 3) / 2 + 1
    w = (8 + 2 - 3) / 2 + 1
    flops = 2 * 4 * h * w * (2 * 3 * 9 + 1)
    assert TASK.custom_judge is not None
    verdict = TASK.custom_judge(Case("probe", (call,)), [CallResult(call, value=(flops, 112))])
    assert not verdict.ok
    assert any("not rounded down" in d for d in verdict.diagnoses), verdict.diagnoses


def test_worked_example_matches_the_reference() -> None:
    statement = task_text(TASK_ID).statement
    numbers = {int(m) for m in re.findall(r"\d+", statement)}
    for args in ((2, 3, 8, 6, 5, 3), (2, 3, 4, 7, 8, 3, 2, 1)):
        flops, n_params = conv2d_layer_cost(*args)
        assert flops in numbers and n_params in numbers, args
    assert {10368, 192, 4, 3} <= numbers
