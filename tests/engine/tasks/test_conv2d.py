"""Task ``conv2d``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.task import Call, CallResult, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.conv2d import conv2d_backward, conv2d_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "conv2d"
TASK = get_task(TASK_ID)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "stride", "padding"),
    [
        ((2, 2, 5, 4), (3, 2, 3, 2), 1, 0),
        ((1, 3, 5, 6), (2, 3, 3, 3), 1, 1),
        ((2, 2, 7, 6), (3, 2, 3, 3), 2, 0),
        ((2, 3, 6, 7), (2, 3, 3, 2), 2, 1),
        ((1, 2, 7, 5), (2, 2, 2, 3), 3, 2),
        ((2, 2, 5, 4), (3, 2, 1, 1), 2, 0),
    ],
)
def test_backward_matches_finite_differences(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: int, padding: int
) -> None:
    rng = np.random.default_rng(sum(x_shape) + 10 * stride + padding)
    x, W, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
    gradcheck_reference(
        lambda x, W, b: conv2d_forward(x, W, b, stride=stride, padding=padding),
        [x, W, b],
        lambda up, x, W, b: conv2d_backward(up, x, W, b, stride=stride, padding=padding),
        ["x", "W", "b"],
    )


def test_forward_matches_a_direct_sum() -> None:
    rng = np.random.default_rng(5)
    x, W, b = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    stride, padding = 2, 1
    y = conv2d_forward(x, W, b, stride=stride, padding=padding)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    assert y.shape == (2, 4, (6 + 2 - 3) // 2 + 1, (5 + 2 - 2) // 2 + 1)
    for n, f, i, j in np.ndindex(*y.shape):
        window = xp[n, :, i * stride : i * stride + 3, j * stride : j * stride + 2]
        assert abs(y[n, f, i, j] - (np.sum(window * W[f]) + b[f])) < 1e-12


def test_uncovered_positions_get_zero_gradient() -> None:
    rng = np.random.default_rng(6)
    x, W, b = rng.standard_normal((1, 1, 8, 8)), rng.standard_normal((1, 1, 3, 3)), rng.standard_normal(1)
    dy = rng.standard_normal((1, 1, 3, 3))  # (8 - 3) // 2 + 1 = 3: row 7 and column 7 are never read
    dx = conv2d_backward(dy, x, W, b, stride=2)[0]
    assert np.all(dx[..., 7, :] == 0.0) and np.all(dx[..., :, 7] == 0.0)
    assert np.all(dx[..., :7, :7] != 0.0)


def test_cases_cover_stride_padding_and_shapes() -> None:
    combos = set()
    floors = False
    for case in TASK.cases():
        a = case.calls[0].args
        s, p = a.get("stride", 1), a.get("padding", 0)
        h, w = a["x"].shape[2:]
        kh, kw = a["W"].shape[2:]
        assert h + 2 * p >= kh and w + 2 * p >= kw
        combos.add((s, p))
        floors |= (h + 2 * p - kh) % s != 0 or (w + 2 * p - kw) % s != 0
    assert {(1, 0), (1, 1), (2, 0), (2, 1)} <= combos and floors
    kernels = {c.calls[0].args["W"].shape[2:] for c in TASK.cases()}
    assert any(kh != kw for kh, kw in kernels)
    batches = {c.calls[0].args["x"].shape[0] for c in TASK.cases()}
    assert 1 in batches and max(batches) > 1


def _context(function: str, args: dict[str, Any], got: dict[str, Any]) -> DiagnosisContext:
    call = Call(function, args)
    return DiagnosisContext(TASK, call, got, TASK.expected_outputs(call), CallResult(call))


@pytest.mark.parametrize(
    ("make", "text"),
    [
        (lambda dy: dy.sum(axis=0), "db is summed over the batch but not over the output positions"),
        (lambda dy: dy, "db is not summed"),
        (lambda dy: dy.mean(axis=(0, 2, 3)), "db is averaged"),
        (lambda dy: dy.sum(axis=(0, 2, 3)) / dy.shape[0], "db is divided by the batch size"),
    ],
)
def test_db_detector_names_each_reduction_mistake(make: Any, text: str) -> None:
    rng = np.random.default_rng(8)
    x, W, b = rng.standard_normal((3, 2, 5, 5)), rng.standard_normal((4, 2, 3, 3)), rng.standard_normal(4)
    dy = rng.standard_normal((3, 4, 3, 3))
    args = {"dy": dy, "x": x, "W": W, "b": b}
    expected = TASK.expected_outputs(Call("conv2d_backward", args))
    ctx = _context("conv2d_backward", args, {"dx": expected["dx"], "dW": expected["dW"], "db": make(dy)})
    found = [d(ctx) for d in TASK.detectors["conv2d_backward"]]
    assert any(f and text in f for f in found), found


def test_worked_example_matches_the_reference() -> None:
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    W, b = np.array([[[[1.0, 2.0], [0.0, -1.0]]]]), np.array([0.5])
    assert_in_statement(TASK_ID, conv2d_forward(x, W, b), conv2d_forward(x, W, b, stride=2, padding=1))
    assert_in_statement(TASK_ID, *conv2d_backward(np.array([[[[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]]]), x, W, b))
