"""Task ``cross_entropy_from_probs``: reference gradient, cases, worked example and PyTorch parity."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.cross_entropy_from_probs import cross_entropy_from_probs
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "cross_entropy_from_probs"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 7


def test_cases_hold_distributions_with_zeros_off_the_labels() -> None:
    cases = {c.name: c.calls[0].args for c in get_task(TASK_ID).cases(hidden_seed=5)}
    for args in cases.values():
        np.testing.assert_allclose(args["p"].sum(axis=1), 1.0)
        assert args["y"].dtype.kind == "i" and np.all(args["p"][np.arange(len(args["y"])), args["y"]] > 0.0)
    assert np.any(cases["zeros_off_label"]["p"] == 0.0)
    assert cases["batch1"]["p"].shape[0] == 1 and cases["square"]["p"].shape == (4, 4)


def test_uniform_rows_give_log_c() -> None:
    loss, dp = cross_entropy_from_probs(np.full((3, 4), 0.25), np.array([3, 0, 3]))
    assert loss == pytest.approx(np.log(4.0))
    np.testing.assert_allclose(dp.sum(axis=1), -4.0 / 3.0)


def test_worked_example() -> None:
    p = np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]])
    loss, dp = cross_entropy_from_probs(p, np.array([0, 2]))
    assert_written_in_statement(TASK_ID, [loss, -np.log(0.5), -np.log(0.1)], dp)


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        args = case.calls[0].args
        p = torch.tensor(args["p"], requires_grad=True)
        loss = torch.nn.functional.nll_loss(torch.log(p), torch.tensor(args["y"]))
        loss.backward()
        ours, dp = cross_entropy_from_probs(args["p"], args["y"])
        assert ours == pytest.approx(float(loss), rel=1e-12)
        np.testing.assert_allclose(dp, np.nan_to_num(p.grad.numpy()), rtol=1e-12)
