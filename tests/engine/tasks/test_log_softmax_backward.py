"""Task ``log_softmax_backward``: the reference against finite differences and PyTorch, cases, worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.log_softmax_backward import log_softmax_backward
from engine.tasks.softmax import stable_log_softmax
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_reference

TASK_ID = "log_softmax_backward"


@pytest.mark.parametrize("shape", [(5,), (1, 4), (3, 5), (4, 4), (2, 3, 4), (2, 2, 3, 5)])
def test_reference_is_the_gradient_of_log_softmax(shape: tuple[int, ...]) -> None:
    z = np.random.default_rng(sum(shape)).standard_normal(shape) * 2.0
    gradcheck_reference(
        lambda z: stable_log_softmax(z),
        [z],
        lambda up, z: (log_softmax_backward(up, stable_log_softmax(z)),),
        ["z"],
    )


def test_cases_hold_log_probabilities_of_many_shapes() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=321)
    for case in cases:
        y = case.calls[0].args["y"]
        np.testing.assert_allclose(np.exp(y).sum(axis=-1), 1.0, atol=1e-12)
        assert np.all(y <= 0.0) and case.calls[0].args["dy"].shape == y.shape
    shapes = {c.calls[0].args["y"].shape for c in cases}
    assert {len(s) for s in shapes} >= {1, 2, 3, 4}
    assert min(float(c.calls[0].args["y"].min()) for c in cases) < -1e4  # probabilities that are 0 in float64


def test_rows_of_dx_sum_to_zero() -> None:
    for case in get_task(TASK_ID).cases():
        dx = log_softmax_backward(**case.calls[0].args)
        np.testing.assert_allclose(dx.sum(axis=-1), 0.0, atol=1e-10)


def test_worked_example() -> None:
    p = np.array([[0.25, 0.25, 0.5], [0.1, 0.2, 0.7]])
    dy = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]])
    assert_written_in_statement(TASK_ID, np.log(p), dy.sum(axis=-1), log_softmax_backward(dy, np.log(p)))


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        dy = case.calls[0].args["dy"]
        z = torch.tensor(np.random.default_rng(1).standard_normal(dy.shape) * 3.0, dtype=torch.float64,
                         requires_grad=True)
        y = torch.log_softmax(z, dim=-1)
        y.backward(torch.tensor(dy, dtype=torch.float64))
        np.testing.assert_allclose(log_softmax_backward(dy, y.detach().numpy()), z.grad.numpy(), rtol=1e-10,
                                   atol=1e-13)
