"""Task ``gelu``: both modes' gradients, the gap between the modes, cases, starter, detectors and the worked example."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.compare import relative_error
from engine.tasks import get_task
from engine.tasks.gelu import gelu_backward, gelu_derivative, gelu_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases

TASK_ID = "gelu"


TASK = get_task(TASK_ID)


def test_reference_backward_matches_finite_differences() -> None:
    assert {c.args.get("approximate", "none") for c in gradcheck_cases(TASK_ID)} == {"none", "tanh"}


def test_known_values() -> None:
    x = np.array([-1.0, 0.0, 1.0, 3.0])
    # x * Phi(x) with Phi(1) = 0.8413447460685429, Phi(3) = 0.9986501019683699
    np.testing.assert_allclose(gelu_forward(x), [-0.15865525393145707, 0.0, 0.8413447460685429, 2.9959503059051097])
    np.testing.assert_allclose(gelu_derivative(np.array([0.0])), [0.5])
    with pytest.raises(ValueError):
        gelu_forward(x, "fast")


def _other_mode(call: Any) -> np.ndarray:
    args = dict(call.args)
    mode = args.get("approximate", "none")
    args["approximate"] = "tanh" if mode == "none" else "none"
    fn = gelu_forward if call.function == "gelu_forward" else gelu_backward
    out: np.ndarray = fn(**args)
    return out


def test_the_mode_probe_cases_tell_the_modes_apart_with_margin() -> None:
    """Answering one mode with the other fails by at least 3x the tolerance, in both functions and both modes."""
    probes = [c for c in TASK.cases() if "mode_probe" in c.name]
    assert {(c.calls[0].function, c.calls[0].args.get("approximate", "none")) for c in probes} == {
        (f, m) for f in ("gelu_forward", "gelu_backward") for m in ("none", "tanh")
    }
    for case in probes:
        call = case.calls[0]
        expected = next(iter(TASK.expected_outputs(call).values()))
        assert relative_error(expected, _other_mode(call)) > 3 * TASK.tolerance, case.name


def test_a_float32_computation_passes_every_case_with_margin() -> None:
    for case in TASK.cases():
        call = case.calls[0]
        args = {k: v.astype(np.float32).astype(np.float64) if isinstance(v, np.ndarray) else v
                for k, v in call.args.items()}
        fn = gelu_forward if call.function == "gelu_forward" else gelu_backward
        got = fn(**args).astype(np.float32)
        expected = next(iter(TASK.expected_outputs(call).values()))
        assert relative_error(expected, got) < TASK.tolerance / 10, case.name


def test_worked_example() -> None:
    x = np.array([-2.7, -1.0, 0.0, 0.5, 2.0])
    dy = np.array([1.0, -2.0, 0.5, 1.0, 3.0])
    for mode in ("none", "tanh"):
        assert_in_statement(TASK_ID, gelu_forward(x, mode), gelu_backward(dy, x, mode), tol=6e-7)
