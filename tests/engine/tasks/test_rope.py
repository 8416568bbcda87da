"""Task ``rope``: the reference against finite differences and PyTorch-style rotate_half, cases, worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.rope import rope, rope_backward, rotate
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "rope"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 7


def test_rotation_keeps_norms_and_relative_positions() -> None:
    rng = np.random.default_rng(3)
    q, k = rng.standard_normal((1, 8)), rng.standard_normal((1, 8))
    # the score between a query at position m and a key at n depends only on m - n
    s1 = rope(q, np.array([7]), 50.0) @ rope(k, np.array([3]), 50.0).T
    s2 = rope(q, np.array([24]), 50.0) @ rope(k, np.array([20]), 50.0).T
    np.testing.assert_allclose(s1, s2, rtol=1e-12)
    x = rng.standard_normal((2, 5, 6))
    pos = np.arange(5) * 3
    np.testing.assert_allclose(np.linalg.norm(rope(x, pos), axis=-1), np.linalg.norm(x, axis=-1))
    np.testing.assert_allclose(rope_backward(rope(x, pos), pos), x, atol=1e-12)


def test_cases_tell_the_layouts_and_positions_apart() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=91)
    dims = set()
    for case in cases:
        call = case.calls[0]
        values = call.args["x" if call.function == "rope" else "dy"]
        pos, base = call.args["positions"], call.args.get("base", 10000.0)
        dims.add(values.shape[-1])
        assert values.shape[-1] >= 4 and pos.dtype.kind == "i" and pos.shape == (values.shape[-2],)
        assert int(pos.max()) < 200  # keeps a float32 angle within the tolerance
        ref = rope(values, pos, base)
        assert not np.allclose(ref, rotate(values, pos, base, layout="interleaved")), case.name
    assert any(d % 4 for d in dims) and max(dims) >= 16
    assert any(not np.array_equal(c.calls[0].args["positions"], np.arange(len(c.calls[0].args["positions"])))
               for c in cases if c.calls[0].function == "rope_backward")


def test_worked_example() -> None:
    x = np.array([[1.0, 0.0, 0.0, 2.0], [1.0, 0.0, 0.0, 2.0]])
    pos = np.array([0, 1])
    y = rope(x, pos, 100.0)
    assert_written_in_statement(TASK_ID, y, rotate(x, pos, 100.0, layout="interleaved"), rope_backward(x, pos, 100.0))
    np.testing.assert_allclose(rope_backward(y, pos, 100.0), x, atol=1e-12)


def test_matches_pytorch_rotate_half() -> None:
    torch = pytest.importorskip("torch")

    def rotate_half(t: object) -> object:
        x1, x2 = t[..., : t.shape[-1] // 2], t[..., t.shape[-1] // 2 :]  # type: ignore[index,attr-defined]
        return torch.cat((-x2, x1), dim=-1)

    for case in get_task(TASK_ID).cases():
        call = case.calls[0]
        if call.function != "rope_backward":
            continue
        dy, pos, base = call.args["dy"], call.args["positions"], call.args.get("base", 10000.0)
        d = dy.shape[-1]
        inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
        emb = torch.cat([torch.outer(torch.tensor(pos, dtype=torch.float64), inv_freq)] * 2, dim=-1)
        x = torch.tensor(np.random.default_rng(0).standard_normal(dy.shape), requires_grad=True)
        y = x * emb.cos() + rotate_half(x) * emb.sin()
        y.backward(torch.tensor(dy))
        np.testing.assert_allclose(rope(x.detach().numpy(), pos, base), y.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(rope_backward(dy, pos, base), x.grad.numpy(), rtol=1e-12, atol=1e-12)
