"""Task ``gru_backward``: the reference against finite differences and PyTorch's GRUCell; the worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks._util import sigmoid
from engine.tasks.gru_backward import gru_cell_backward
from engine.tasks.gru_cell import gru_cell_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "gru_backward"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 6


def test_forward_cases_are_the_gru_cell_tasks_shapes() -> None:
    task, cell = get_task(TASK_ID), get_task("gru_cell")
    fwd = [c for c in task.cases() if c.calls[0].function == "gru_cell_forward"]
    assert [c.calls[0].args["W_hh"].shape for c in fwd] == [c.calls[0].args["W_hh"].shape for c in cell.cases()]
    back = [c for c in task.cases() if c.calls[0].function == "gru_cell_backward"]
    assert len(back) == len(fwd) and sum(c.visible for c in task.cases()) == 2


def test_worked_example() -> None:
    x, h = np.array([[1.0]]), np.array([[0.5]])
    W_ih, W_hh = np.array([[0.5], [-1.0], [1.0]]), np.array([[1.0], [0.5], [-0.5]])
    b_ih, b_hh = np.array([0.0, 0.0, 0.1]), np.array([0.0, 0.2, 0.3])
    dh = np.array([[2.0]])
    r, z = sigmoid(np.array(1.0)), sigmoid(np.array(-0.55))
    n = np.tanh(1.1 + r * 0.05)
    dn, dz = 2.0 * (1 - z), 2.0 * (0.5 - n)
    da_n = dn * (1 - n**2)
    assert_written_in_statement(
        TASK_ID, [r, z, n, dn, dz, da_n, da_n * 0.05, da_n * 0.05 * r * (1 - r), dz * z * (1 - z)],
        gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh), *gru_cell_backward(dh, x, h, W_ih, W_hh, b_ih, b_hh),
    )


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        if case.calls[0].function != "gru_cell_backward":
            continue
        cell = torch.nn.GRUCell(a["x"].shape[1], a["h_prev"].shape[1], dtype=torch.float64)
        with torch.no_grad():
            for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
                attr = name.replace("W_", "weight_").replace("b_", "bias_")
                getattr(cell, attr).copy_(torch.tensor(a[name]))
        x = torch.tensor(a["x"], requires_grad=True)
        h = torch.tensor(a["h_prev"], requires_grad=True)
        cell(x, h).backward(torch.tensor(a["dh"]))
        got = gru_cell_backward(**a)
        want = (x.grad, h.grad, cell.weight_ih.grad, cell.weight_hh.grad, cell.bias_ih.grad, cell.bias_hh.grad)
        for mine, theirs in zip(got, want, strict=True):
            np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-10, atol=1e-12)
