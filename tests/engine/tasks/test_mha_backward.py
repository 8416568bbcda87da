"""Task ``mha_backward``: finite differences, one head equals the attention task, worked example, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.attention import attention_backward
from engine.tasks.mha_backward import NAMES, multi_head_attention_backward
from engine.tasks.multi_head_attention import multi_head_attention_forward
from tests.engine.tasks.support import assert_written_in_statement, gradcheck_cases

TASK_ID = "mha_backward"


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 11


def test_one_head_with_identity_weights_is_the_attention_task() -> None:
    rng = np.random.default_rng(12)
    x_q, x_kv, dout = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 3, 4))
    eye = np.eye(4)
    mask = np.arange(5)[None, :] <= np.arange(3)[:, None] + 2
    grads = multi_head_attention_backward(dout, x_q, x_kv, eye, eye, eye, eye, 1, mask)
    dQ, dK, dV = attention_backward(dout, x_q, x_kv, x_kv, mask)
    np.testing.assert_allclose(grads[0], dQ, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grads[1], dK + dV, rtol=1e-12, atol=1e-12)


def test_backward_cases_mirror_the_forward_task() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=3)
    back = [c for c in cases if c.calls[0].function == "multi_head_attention_backward"]
    fwd = [c for c in cases if c.calls[0].function == "multi_head_attention_forward"]
    assert len(back) == len(fwd) >= 11
    assert {c.calls[0].args["num_heads"] for c in back} >= {1, 2, 3, 4}
    assert any(c.calls[0].args.get("mask") is not None for c in back)


def test_worked_example() -> None:
    eye = np.eye(2)
    x_q, x_kv, dout = np.array([[[1.0, 2.0]]]), np.array([[[1.0, 0.0], [0.0, 1.0]]]), np.array([[[1.0, -1.0]]])
    out = multi_head_attention_forward(x_q, x_kv, eye, eye, eye, eye, 2)
    grads = multi_head_attention_backward(dout, x_q, x_kv, eye, eye, eye, eye, 2)
    assert_written_in_statement(TASK_ID, out, *grads)


def test_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        if case.calls[0].function != "multi_head_attention_backward":
            continue
        n, lq, e = a["x_q"].shape
        h, d = a["num_heads"], e // a["num_heads"]
        t = {k: torch.tensor(a[k], requires_grad=True) for k in ("x_q", "x_kv", "W_q", "W_k", "W_v", "W_o")}
        q = (t["x_q"] @ t["W_q"].T).reshape(n, lq, h, d).transpose(1, 2)
        k = (t["x_kv"] @ t["W_k"].T).reshape(n, -1, h, d).transpose(1, 2)
        v = (t["x_kv"] @ t["W_v"].T).reshape(n, -1, h, d).transpose(1, 2)
        mask = None if a.get("mask") is None else torch.tensor(np.asarray(a["mask"]))
        ctx = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        out = ctx.transpose(1, 2).reshape(n, lq, e) @ t["W_o"].T
        out.backward(torch.tensor(a["dout"]))
        for name, mine in zip(NAMES, multi_head_attention_backward(**a), strict=True):
            theirs = t[name[1:]].grad.numpy()
            np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-12)
