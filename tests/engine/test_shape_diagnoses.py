"""The shape diagnoses shared by every task: axes of size 1 left by keepdims, and wrong output-size arithmetic."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, DiagnosisContext
from engine.tasks import get_task


def test_keepdims_shapes_are_named_for_any_output() -> None:
    exp = np.arange(1.0, 5.0)
    text = diagnose.kept_axes("db", exp.reshape(1, 4), exp)
    assert text is not None and "(1, 4)" in text and "keepdims" in text
    assert diagnose.kept_axes("dgamma", exp.reshape(1, 4, 1, 1), exp) is not None
    assert diagnose.kept_axes("y", exp.reshape(4, 1), exp) is not None


def test_keepdims_is_not_claimed_for_other_mistakes() -> None:
    exp = np.arange(1.0, 5.0)
    assert diagnose.kept_axes("db", exp, exp) is None  # right shape: not this mistake
    assert diagnose.kept_axes("db", 2 * exp.reshape(1, 4), exp) is None  # wrong values as well
    assert diagnose.kept_axes("db", exp.reshape(2, 2), exp) is None  # a real reshape, not an axis of size 1
    assert diagnose.kept_axes("db", None, exp) is None
    w = np.arange(6.0).reshape(3, 1, 2)  # axes swapped where one has size 1: a layout mistake, not keepdims
    assert diagnose.kept_axes("dW", w.reshape(1, 3, 2), w) is None


def _pool_ctx(shape: tuple[int, ...], k: int, s: int, got: np.ndarray) -> DiagnosisContext:
    task = get_task("maxpool2d")
    call = Call("maxpool2d_forward", {"x": np.random.default_rng(0).normal(size=shape), "kernel_size": k, "stride": s})
    expected = task.expected_outputs(call)
    return DiagnosisContext(task=task, call=call, got={"y": got}, expected=expected, result=None)  # type: ignore[arg-type]


def _detector() -> diagnose.Detector:
    from engine.tasks._util import pool_dims

    return diagnose.output_size("y", pool_dims)


def test_round_ceil_and_square_sizes_are_named() -> None:
    # H = 8, W = 7, k = 2, stride 3: floor gives (3, 2), round() (3, 3), ceil (3, 3) too -> round is named first
    assert "round()" in (_detector()(_pool_ctx((1, 1, 8, 7), 2, 3, np.zeros((1, 1, 3, 3)))) or "")
    # H = W = 6, k = 3, stride 2: (6 - 3) / 2 = 1.5 -> floor 2, round 3 (1.5 rounds to 2), ceil 3
    assert "round()" in (_detector()(_pool_ctx((1, 1, 6, 6), 3, 2, np.zeros((1, 1, 3, 3)))) or "")
    # H = W = 9, k = 2, stride 4: 7 / 4 = 1.75 -> floor 2, round 3, ceil 3; 10 wide: 8 / 4 exact
    # ceil only: (H - k) / s = 2.25 -> floor 3, round 3, ceil 4
    assert "rounded up" in (_detector()(_pool_ctx((1, 1, 11, 11), 2, 4, np.zeros((1, 1, 4, 4)))) or "")
    # a 4x6 image: (2, 3) expected; (2, 2) uses the height's size for the width
    assert "square" in (_detector()(_pool_ctx((1, 1, 4, 6), 2, 2, np.zeros((1, 1, 2, 2)))) or "")


def test_unfilled_columns_are_named_and_right_outputs_are_not() -> None:
    ctx = _pool_ctx((1, 2, 4, 6), 2, 2, np.zeros((1, 2, 2, 3)))
    exp = ctx.expected["y"]
    partial = exp.copy()
    partial[..., 2:] = 0.0
    ctx.got["y"] = partial
    assert "never filled" in (_detector()(ctx) or "")
    ctx.got["y"] = exp.copy()
    assert _detector()(ctx) is None
    ctx.got["y"] = np.zeros((1, 2, 5, 5))  # some other wrong shape: no guess
    assert _detector()(ctx) is None
