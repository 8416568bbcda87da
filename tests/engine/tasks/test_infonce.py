"""Task ``infonce``: reference gradients, special cases, worked example and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.infonce import infonce_loss
from engine.tasks.softmax_cross_entropy import softmax_cross_entropy
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "infonce"


def test_reference_gradients_match_finite_differences() -> None:
    # Logits of order 1e3 give a loss of order 1e3, whose rounding needs a larger step than 1e-6.
    checked = gradcheck_cases(TASK_ID, eps=lambda a: 1e-4 if a["temperature"] < 0.06 else 1e-6)
    assert len(checked) >= 7


def test_loss_is_softmax_cross_entropy_with_diagonal_labels() -> None:
    for case in get_task(TASK_ID).cases(hidden_seed=4):
        q, k, t = (case.calls[0].args[n] for n in ("q", "k", "temperature"))
        loss, _, _ = infonce_loss(q, k, t)
        assert loss == pytest.approx(softmax_cross_entropy(q @ k.T / t, np.arange(len(q)))[0], rel=1e-12)


def test_cases_expose_shapes_and_large_logits() -> None:
    cases = {c.name: c.calls[0].args for c in get_task(TASK_ID).cases(hidden_seed=4)}
    shapes = {a["q"].shape for a in cases.values()}
    assert any(n < d for n, d in shapes) and any(n > d for n, d in shapes) and any(n == d for n, d in shapes)
    assert (1, 3) in shapes
    a = cases["large_logits"]
    assert np.abs(a["q"] @ a["k"].T / a["temperature"]).max() > 710.0  # exp overflows without the max subtraction


def test_worked_example() -> None:
    q = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    k = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    loss, dq, dk = infonce_loss(q, k, 0.5)
    assert_written_in_statement(TASK_ID, q @ k.T / 0.5, [loss, np.log(2.0), np.log1p(np.exp(-2.0))], dq, dk)


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        q = torch.tensor(a["q"], requires_grad=True)
        k = torch.tensor(a["k"], requires_grad=True)
        logits = q @ k.T / a["temperature"]
        loss = torch.nn.functional.cross_entropy(logits, torch.arange(q.shape[0]))
        loss.backward()
        ours, dq, dk = infonce_loss(a["q"], a["k"], a["temperature"])
        assert ours == pytest.approx(float(loss), rel=1e-10, abs=1e-12)
        np.testing.assert_allclose(dq, q.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(dk, k.grad.numpy(), rtol=1e-9, atol=1e-12)
