"""Task ``lstm_cell``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.crosscheck import numeric, plan
from engine.task import CallResult
from engine.tasks import get_task
from engine.tasks.lstm_cell import lstm_cell_backward, lstm_cell_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "lstm_cell"
TASK = get_task(TASK_ID)


ARGS = ["x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"]


def _lstm_inputs(rng: np.random.Generator, n: int, d: int, h: int) -> list[np.ndarray]:
    return [
        rng.standard_normal((n, d)),
        np.tanh(rng.standard_normal((n, h))),
        rng.standard_normal((n, h)),
        rng.standard_normal((4 * h, d)) / np.sqrt(d),
        rng.standard_normal((4 * h, h)) / np.sqrt(h),
        rng.standard_normal(4 * h) * 0.5,
        rng.standard_normal(4 * h) * 0.5,
    ]


@pytest.mark.parametrize(("n", "d", "h"), [(2, 3, 2), (1, 4, 3), (3, 3, 3), (2, 2, 5)])
def test_backward_matches_finite_differences(n: int, d: int, h: int) -> None:
    """Both outputs at once: f returns (h, c) stacked, the upstream is (dh, dc) stacked the same way."""
    rng = np.random.default_rng(n * 100 + d * 10 + h)

    def both(*args: np.ndarray) -> np.ndarray:
        return np.stack(lstm_cell_forward(*args))

    def grads(up: np.ndarray, *args: np.ndarray) -> Any:
        return lstm_cell_backward(up[0], up[1], *args)

    gradcheck_reference(both, _lstm_inputs(rng, n, d, h), grads, ARGS)


@pytest.mark.parametrize("which", [0, 1])
def test_backward_matches_finite_differences_of_each_output(which: int) -> None:
    rng = np.random.default_rng(40 + which)
    inputs = _lstm_inputs(rng, 3, 2, 4)
    up = rng.standard_normal((3, 4))
    zero = np.zeros_like(up)

    def grads(u: np.ndarray, *args: np.ndarray) -> Any:
        return lstm_cell_backward(u, zero, *args) if which == 0 else lstm_cell_backward(zero, u, *args)

    gradcheck_reference(lambda *args: lstm_cell_forward(*args)[which], inputs, grads, ARGS, upstream=up)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-a))
    return out


def test_forward_follows_torch_lstmcell_gate_order() -> None:
    rng = np.random.default_rng(8)
    x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = _lstm_inputs(rng, 2, 3, 2)
    h, c = lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    for n in range(2):
        a = W_ih @ x[n] + b_ih + W_hh @ h_prev[n] + b_hh
        i, f, g, o = _sigmoid(a[0:2]), _sigmoid(a[2:4]), np.tanh(a[4:6]), _sigmoid(a[6:8])
        np.testing.assert_allclose(c[n], f * c_prev[n] + i * g, rtol=1e-12)
        np.testing.assert_allclose(h[n], o * np.tanh(c[n]), rtol=1e-12)


def test_cases_have_both_upstreams_and_each_alone() -> None:
    backward = [c.calls[0].args for c in TASK.cases() if c.calls[0].function == "lstm_cell_backward"]
    assert any(not np.any(a["dc"]) and np.all(a["dh"] != 0) for a in backward)
    assert any(not np.any(a["dh"]) and np.all(a["dc"] != 0) for a in backward)
    assert any(np.all(a["dh"] != 0) and np.all(a["dc"] != 0) for a in backward)
    visible = [c for c in TASK.cases() if c.visible and c.calls[0].function == "lstm_cell_backward"]
    assert not np.any(visible[0].calls[0].args["dc"])  # the first failing backward is exactly cross-checkable


def test_cross_check_uses_both_upstream_gradients() -> None:
    """The cross-check follows the gradient into h and c at once: the reference agrees with itself on every case,
    including those where dh and dc are both non-zero, and a backward that drops dc does not."""
    rng = np.random.default_rng(0)
    (link,) = TASK.links
    both = 0
    for case in TASK.cases():
        call = case.calls[0]
        if call.function != "lstm_cell_backward":
            continue
        both += bool(np.any(call.args["dh"]) and np.any(call.args["dc"]))
        for dc_scale, expect in ((1.0, True), (0.0, False)):
            args = dict(call.args)
            value = lstm_cell_backward(**{**args, "dc": args["dc"] * dc_scale})
            result = CallResult(call, value=value)
            planned = plan(TASK, link, result, rng)
            assert planned is not None
            calls, probes = planned
            outs = [CallResult(c, value=lstm_cell_forward(**c.args)) for c in calls]
            agree = numeric(TASK, link, result, outs, probes)
            assert agree is not None
            if expect or np.any(args["dc"]):
                assert all(agree.values()) is expect, (case.name, dc_scale, agree)
    assert both > 0


def test_worked_example_matches_the_reference() -> None:
    x, h_prev, c_prev = np.array([[1.0]]), np.array([[0.5]]), np.array([[-1.0]])
    W_ih, W_hh = np.array([[0.5], [1.0], [-1.0], [2.0]]), np.array([[1.0], [-2.0], [0.0], [1.0]])
    b_ih, b_hh = np.array([0.0, 0.5, 0.0, -1.0]), np.array([0.0, 0.0, 0.5, 0.0])
    assert_in_statement(TASK_ID, *lstm_cell_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh))
    grads = lstm_cell_backward(np.array([[1.0]]), np.array([[0.5]]), x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    assert_in_statement(TASK_ID, *grads)

