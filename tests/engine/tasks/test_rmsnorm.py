"""Task ``rmsnorm``: reference gradients against finite differences and PyTorch, cases and the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.rmsnorm import rmsnorm_backward, rmsnorm_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "rmsnorm"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 7


def test_rows_have_unit_root_mean_square() -> None:
    x = np.random.default_rng(4).standard_normal((2, 3, 6)) * 3.0 + 1.0
    y = rmsnorm_forward(x, np.ones(6), eps=0.0)
    np.testing.assert_allclose(np.mean(y**2, axis=-1), 1.0)
    np.testing.assert_allclose(rmsnorm_forward(x[1], np.ones(6), eps=0.0), y[1])


def test_cases_tell_rmsnorm_from_layernorm() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=77)
    shapes = {c.calls[0].args["x"].shape for c in cases}
    assert {len(s) for s in shapes} >= {1, 2, 3, 4} and any(s[0] == 1 and len(s) == 2 for s in shapes)
    for case in cases:
        x = case.calls[0].args["x"]
        means = np.abs(x.mean(axis=-1)) / np.sqrt(np.mean(x**2, axis=-1))
        assert means.min() > 0.05, case.name  # every row has a clear mean: layer norm gives other numbers
    assert {c.calls[0].function for c in cases if c.calls[0].args.get("eps") == 1e-2} == {
        "rmsnorm_forward",
        "rmsnorm_backward",
    }


def test_worked_example() -> None:
    x = np.array([[2.0, -2.0, 2.0, 2.0], [1.0, 1.0, 3.0, 5.0]])
    weight = np.array([1.0, 0.5, 2.0, 1.0])
    dy = np.array([[1.0, 0.0, 0.0, -1.0], [0.0, 1.0, 0.0, 0.0]])
    assert_written_in_statement(TASK_ID, rmsnorm_forward(x, weight), *rmsnorm_backward(dy, x, weight))


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        args = case.calls[0].args
        if case.calls[0].function != "rmsnorm_backward":
            continue
        eps = args.get("eps", 1e-6)
        x = torch.tensor(args["x"], requires_grad=True)
        w = torch.tensor(args["weight"], requires_grad=True)
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
        if hasattr(torch.nn.functional, "rms_norm"):
            torch.testing.assert_close(y, torch.nn.functional.rms_norm(x, (x.shape[-1],), w, eps))
        y.backward(torch.tensor(args["dy"]))
        dx, dweight = rmsnorm_backward(args["dy"], args["x"], args["weight"], eps)
        np.testing.assert_allclose(dx, x.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dweight, w.grad.numpy(), rtol=1e-10, atol=1e-12)
