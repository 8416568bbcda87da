"""Task ``softmax_backward``: the reference against finite differences of softmax and PyTorch, cases, worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.softmax import stable_softmax
from engine.tasks.softmax_backward import softmax_backward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_reference

TASK_ID = "softmax_backward"


def _logits(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(sum(shape)).standard_normal(shape) * 2.0


@pytest.mark.parametrize("shape", [(5,), (1, 4), (3, 5), (4, 4), (2, 3, 4), (2, 2, 3, 5)])
def test_reference_is_the_gradient_of_softmax(shape: tuple[int, ...]) -> None:
    gradcheck_reference(
        lambda z: stable_softmax(z),
        [_logits(shape)],
        lambda up, z: (softmax_backward(up, stable_softmax(z)),),
        ["z"],
    )


def test_case_inputs_are_softmax_outputs_of_many_shapes() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=123)
    for case in cases:
        y = case.calls[0].args["y"]
        np.testing.assert_allclose(y.sum(axis=-1), 1.0, atol=1e-12)
        assert case.calls[0].args["dy"].shape == y.shape
    shapes = {c.calls[0].args["y"].shape for c in cases}
    assert {len(s) for s in shapes} >= {1, 2, 3, 4}
    assert any(len(s) == 2 and s[0] == 1 for s in shapes) and any(len(s) == 2 and s[0] == s[1] for s in shapes)


def test_rows_of_dx_sum_to_zero() -> None:
    for case in get_task(TASK_ID).cases():
        np.testing.assert_allclose(softmax_backward(**case.calls[0].args).sum(axis=-1), 0.0, atol=1e-12)


def test_worked_example() -> None:
    y = np.array([[0.1, 0.2, 0.7], [0.25, 0.25, 0.5]])
    dy = np.array([[1.0, 0.0, -1.0], [2.0, -1.0, 0.5]])
    assert_written_in_statement(TASK_ID, np.sum(dy * y, axis=-1), softmax_backward(dy, y))


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        rng = np.random.default_rng(0)
        z = torch.tensor(rng.standard_normal(case.calls[0].args["y"].shape) * 3.0, dtype=torch.float64,
                         requires_grad=True)
        dy = case.calls[0].args["dy"]
        y = torch.softmax(z, dim=-1)
        y.backward(torch.tensor(dy, dtype=torch.float64))
        np.testing.assert_allclose(softmax_backward(dy, y.detach().numpy()), z.grad.numpy(), rtol=1e-10, atol=1e-13)
