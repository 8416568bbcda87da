"""Task ``focal_loss``: reference gradient, special cases, worked example and parity with torchvision's formula."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.bce_with_logits import bce_with_logits
from engine.tasks.focal_loss import focal_loss
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "focal_loss"


def test_reference_gradient_matches_finite_differences() -> None:
    # Finite differences mean nothing where exp(-|z|) underflows: the large-logit case is checked below instead.
    checked = gradcheck_cases(TASK_ID, skip=lambda a: float(np.max(np.abs(a["logits"]))) > 50.0)
    assert len(checked) >= 8


def test_gamma_zero_and_alpha_half_is_half_the_binary_cross_entropy() -> None:
    rng = np.random.default_rng(3)
    z, t = rng.standard_normal((3, 5)) * 3.0, rng.integers(0, 2, (3, 5)).astype(float)
    loss, grad = focal_loss(z, t, alpha=0.5, gamma=0.0)
    bce, dbce = bce_with_logits(z, t)
    assert loss == pytest.approx(bce / 2.0, rel=1e-12)
    np.testing.assert_allclose(grad, dbce / 2.0, rtol=1e-12, atol=1e-15)


def test_large_logits_give_exact_limits() -> None:
    z = np.array([1000.0, -1000.0, 745.0, -745.0])
    t = np.array([1.0, 0.0, 0.0, 1.0])  # two confident right answers, two confident wrong ones
    loss, grad = focal_loss(z, t)
    assert loss == pytest.approx((0.75 * 745.0 + 0.25 * 745.0) / 4.0)
    np.testing.assert_allclose(grad, np.array([0.0, 0.0, 0.75, -0.25]) / 4.0)


def test_cases_hold_both_classes_and_the_special_settings() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=9)
    for case in cases:
        t = case.calls[0].args["targets"]
        assert set(np.unique(t)) == {0.0, 1.0}, case.name
    gammas = {case.calls[0].args.get("gamma", 2.0) for case in cases}
    assert {0.0, 0.5, 2.0, 3.0} <= gammas
    assert max(float(np.max(np.abs(c.calls[0].args["logits"]))) for c in cases) >= 1000.0


def test_worked_example() -> None:
    z, t = np.array([[0.0, 0.0, 2.0, -1.0]]), np.array([[1.0, 0.0, 1.0, 1.0]])
    p = 1.0 / (1.0 + np.exp(-z))
    p_t = np.where(t == 1, p, 1 - p)
    fl = -np.where(t == 1, 0.25, 0.75) * (1 - p_t) ** 2 * np.log(p_t)
    loss, grad = focal_loss(z, t)
    assert loss == pytest.approx(fl.mean())
    assert_written_in_statement(TASK_ID, p_t, fl, [loss], grad)


def test_matches_torchvision_formula_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        args = case.calls[0].args
        if float(np.max(np.abs(args["logits"]))) > 50.0:
            continue  # torchvision's own formula takes log(sigmoid) through BCE, fine; (1 - p_t) loses digits
        alpha, gamma = args.get("alpha", 0.25), args.get("gamma", 2.0)
        z = torch.tensor(args["logits"], requires_grad=True)
        t = torch.tensor(args["targets"])
        p = torch.sigmoid(z)
        ce = torch.nn.functional.binary_cross_entropy_with_logits(z, t, reduction="none")
        p_t = p * t + (1 - p) * (1 - t)
        loss = (ce * (1 - p_t) ** gamma * (alpha * t + (1 - alpha) * (1 - t))).mean()
        loss.backward()
        ours, grad = focal_loss(args["logits"], args["targets"], alpha, gamma)
        assert ours == pytest.approx(float(loss), rel=1e-10)
        np.testing.assert_allclose(grad, z.grad.numpy(), rtol=1e-8, atol=1e-14)
