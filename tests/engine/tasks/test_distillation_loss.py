"""Task ``distillation_loss``: reference gradient, T**2 scaling, worked example and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.distillation_loss import distillation_loss
from engine.tasks.softmax import stable_softmax
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "distillation_loss"


def test_reference_gradient_matches_finite_differences() -> None:
    # Logits of order 1e3 give a loss of order 1e3, whose rounding needs a larger step than 1e-6.
    assert len(gradcheck_cases(TASK_ID, eps=lambda a: 1e-4 if np.abs(a["student_logits"]).max() > 100 else 1e-6)) >= 7


def test_loss_is_zero_when_student_equals_teacher_and_positive_otherwise() -> None:
    z = np.random.default_rng(2).standard_normal((3, 4))
    loss, grad = distillation_loss(z, z + 5.0, 3.0)  # a constant shift per row changes no softmax
    assert loss == pytest.approx(0.0, abs=1e-12) and np.allclose(grad, 0.0, atol=1e-15)
    assert distillation_loss(z, -z, 3.0)[0] > 0.0


def test_t_squared_keeps_the_gradient_scale_for_large_t() -> None:
    """For large T, T * (p_s - p_t) / N tends to (s - t - row means) / (C N): independent of T."""
    rng = np.random.default_rng(5)
    s, t = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    limit = ((s - s.mean(1, keepdims=True)) - (t - t.mean(1, keepdims=True))) / (5 * 2)
    np.testing.assert_allclose(distillation_loss(s, t, 1e6)[1], limit, atol=1e-7)


def test_cases_cover_temperatures_and_large_logits() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=8)
    temps = {c.calls[0].args["T"] for c in cases}
    assert {0.5, 1.0, 2.0} <= temps and any(t > 2.0 for t in temps)
    assert max(float(np.max(np.abs(c.calls[0].args["student_logits"]))) for c in cases) > 1000.0


def test_worked_example() -> None:
    s = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    t = np.array([[3.0, 2.0, 1.0], [0.0, 2.0, 0.0]])
    loss, grad = distillation_loss(s, t, 2.0)
    assert_written_in_statement(TASK_ID, stable_softmax(s / 2.0), stable_softmax(t / 2.0), [loss], grad)


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        s = torch.tensor(a["student_logits"], requires_grad=True)
        t = torch.tensor(a["teacher_logits"])
        T = a["T"]
        loss = F.kl_div(F.log_softmax(s / T, dim=-1), F.softmax(t / T, dim=-1), reduction="batchmean") * T * T
        loss.backward()
        ours, grad = distillation_loss(a["student_logits"], a["teacher_logits"], T)
        assert ours == pytest.approx(float(loss), rel=1e-9, abs=1e-12)
        np.testing.assert_allclose(grad, s.grad.numpy(), rtol=1e-9, atol=1e-14)
