"""Task ``linear_layer_cost``: the formula against a brute-force count, integer judging, cases and detectors."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from engine.task import Call, CallResult, Case
from engine.tasks import get_task
from engine.tasks.linear_layer_cost import _SENTENCES, _linear_variants, linear_layer_cost
from tests.engine.tasks.support import task_text

TASK_ID = "linear_layer_cost"
TASK = get_task(TASK_ID)
SEEDS = range(0, 4000, 100)  # hidden sizes are drawn per grade: what holds for the cases holds for every seed's


def _brute_force(batch: int, d_in: int, d_out: int, bias: bool) -> tuple[int, int]:
    """Count the operations of a naive y = x @ W.T + b one by one, and the learnable numbers of W and b."""
    ops = 0
    for _n in range(batch):
        for _o in range(d_out):
            for _i in range(d_in):
                ops += 2  # acc += x * w: one multiply, one add
            if bias:
                ops += 1
    weights = np.zeros((d_out, d_in))
    return ops, weights.size + (d_out if bias else 0)


@pytest.mark.parametrize(("batch", "d_in", "d_out"), [(1, 1, 1), (2, 3, 4), (5, 1, 7), (3, 6, 2)])
@pytest.mark.parametrize("bias", [True, False])
def test_reference_matches_a_brute_force_count(batch: int, d_in: int, d_out: int, bias: bool) -> None:
    flops, n_params = linear_layer_cost(batch, d_in, d_out, bias)
    assert (flops, n_params) == _brute_force(batch, d_in, d_out, bias)
    assert type(flops) is int and type(n_params) is int


@pytest.mark.parametrize("seed", SEEDS)
def test_cases_cover_bias_batch_and_default(seed: int) -> None:
    args = [c.calls[0].args for c in TASK.cases(seed)]
    assert {a.get("bias") for a in args} == {True, False, None}
    assert 1 in {a["batch"] for a in args} and max(a["batch"] for a in args) > 1
    assert any(a["in_features"] != a["out_features"] for a in args)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_single_mistake_is_told_apart_on_some_case(seed: int) -> None:
    """For each mistake, some case gives a number that neither the reference nor any other single mistake gives."""
    seen: set[tuple[str, str]] = set()
    for case in TASK.cases(seed):
        args = case.calls[0].args
        expected = TASK.expected_outputs(case.calls[0])
        for output in ("flops", "params"):
            singles = [(m, v) for m, v in _linear_variants(args, output) if len(m) == 1]
            for mistakes, value in singles:
                others = [v for m, v in singles if m != mistakes]
                if value != float(expected[output]) and value not in others:
                    seen.add((output, next(iter(mistakes))))
    assert set(_SENTENCES) <= seen


def test_topic() -> None:
    assert task_text(TASK_ID).topic == "flops_params_memory"


def _judge(value: Any, **args: Any) -> Any:
    call = Call("linear_layer_cost", {**{"batch": 2, "in_features": 3, "out_features": 4}, **args})
    assert TASK.custom_judge is not None
    return TASK.custom_judge(Case("probe", (call,)), [CallResult(call, value=value)])


def test_whole_number_floats_are_accepted_and_fractions_are_not() -> None:
    assert _judge((56, 16)).ok
    assert _judge((56.0, np.float64(16.0))).ok
    assert _judge((np.array(56), np.array(16, dtype=np.int32))).ok  # NumPy scalars arrive as 0-d arrays
    fractional = _judge((56.5, 16))
    assert not fractional.ok and "not a whole number" in fractional.message
    assert not _judge((np.nan, 16)).ok
    assert not _judge((True, 16)).ok


def test_mismatch_messages_name_both_numbers() -> None:
    for macs in (48, 42):  # batch 3: the MACs with the bias add, or the whole count halved
        verdict = _judge((macs, 15), batch=3)
        assert not verdict.ok
        assert f"flops: got {macs}, expected 84" in verdict.message
        assert any("multiply-accumulates" in d for d in verdict.diagnoses), macs
    # with batch 2, halving the FLOPs (28) and ignoring the batch (2*3*4 + 4 = 28) agree: no guess
    ambiguous = _judge((28, 16))
    assert not ambiguous.ok and ambiguous.diagnoses == []
    assert _judge((48, 12), bias=False).ok
    assert not _judge((56, 16), bias=False).ok


def test_worked_example_matches_the_reference() -> None:
    statement = task_text(TASK_ID).statement
    numbers = {int(m) for m in re.findall(r"\d+", statement)}
    for args in ((2, 3, 4, True), (64, 784, 256, True)):
        flops, n_params = linear_layer_cost(*args)
        assert flops in numbers and n_params in numbers, args
    assert 48 in numbers and 8 in numbers  # the two parts of the first example's FLOPs


def test_an_integer_beyond_int64_is_a_plain_mismatch() -> None:
    verdict = _judge((np.asarray(10**30), 16))
    assert not verdict.ok and not verdict.invalid
    assert f"flops: got {10**30}, expected 56" in verdict.message
