"""Task ``conv_transpose2d``: finite differences, the adjoint of conv2d, the worked example and PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.conv2d import conv2d_backward, conv2d_forward
from engine.tasks.conv_transpose2d import conv_transpose2d_backward, conv_transpose2d_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "conv_transpose2d"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 7


def test_forward_is_the_input_gradient_of_conv2d_and_dx_is_conv2d() -> None:
    """<conv2d(u), x> = <u, conv_transpose2d(x)> for the same W, stride and padding: the two are adjoint."""
    for case in get_task(TASK_ID).cases():
        call = case.calls[0]
        if call.function != "conv_transpose2d_backward":
            continue
        a = call.args
        stride, padding = a.get("stride", 1), a.get("padding", 0)
        zero_b = np.zeros(a["W"].shape[1])
        y = conv_transpose2d_forward(a["x"], a["W"], zero_b, stride, padding)
        assert y.shape == a["dy"].shape
        conv_dx = conv2d_backward(a["x"], a["dy"], a["W"], np.zeros(a["W"].shape[0]), stride, padding)[0]
        np.testing.assert_allclose(y, conv_dx, rtol=1e-12, atol=1e-12)
        dx, dW, _ = conv_transpose2d_backward(**a)
        np.testing.assert_allclose(dx, conv2d_forward(a["dy"], a["W"], np.zeros(a["W"].shape[0]), stride, padding),
                                   rtol=1e-12, atol=1e-12)
        conv_dW = conv2d_backward(a["x"], a["dy"], a["W"], np.zeros(a["W"].shape[0]), stride, padding)[1]
        np.testing.assert_allclose(dW, conv_dW, rtol=1e-12, atol=1e-12)


def test_worked_example() -> None:
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    W = np.array([[[[1.0, 2.0], [0.0, -1.0]]]])
    b = np.array([0.5])
    dy = np.array([[[[1.0, 0.0, -1.0], [0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]]])
    assert_written_in_statement(
        TASK_ID,
        conv_transpose2d_forward(x, W, b, 1, 0),
        conv_transpose2d_forward(x, W, b, 2, 0),
        conv_transpose2d_forward(x, W, b, 2, 1),
        *conv_transpose2d_backward(dy, x, W, b, 1, 0),
    )


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        if case.calls[0].function != "conv_transpose2d_backward":
            continue
        x = torch.tensor(a["x"], requires_grad=True)
        W = torch.tensor(a["W"], requires_grad=True)
        b = torch.tensor(a["b"], requires_grad=True)
        y = torch.nn.functional.conv_transpose2d(x, W, b, stride=a.get("stride", 1), padding=a.get("padding", 0))
        y.backward(torch.tensor(a["dy"]))
        forward = conv_transpose2d_forward(a["x"], a["W"], a["b"], a.get("stride", 1), a.get("padding", 0))
        np.testing.assert_allclose(forward, y.detach().numpy(), rtol=1e-10, atol=1e-12)
        for mine, theirs in zip(conv_transpose2d_backward(**a), (x.grad, W.grad, b.grad), strict=True):
            np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)
