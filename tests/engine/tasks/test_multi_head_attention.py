"""Task ``multi_head_attention``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.multi_head_attention import _variant_attend, multi_head_attention_forward
from tests.engine.tasks.support import assert_in_statement

TASK_ID = "multi_head_attention"
TASK = get_task(TASK_ID)


def _per_head_loop(
    x_q: np.ndarray, x_kv: np.ndarray, Ws: list[np.ndarray], heads: int, mask: np.ndarray | None
) -> np.ndarray:
    W_q, W_k, W_v, W_o = Ws
    n, lq, e = x_q.shape
    lk = x_kv.shape[1]
    d = e // heads
    full = np.ones((n, heads, lq, lk), dtype=bool) if mask is None else np.broadcast_to(mask, (n, heads, lq, lk))
    concat = np.zeros((n, lq, e))
    for b in range(n):
        for h in range(heads):
            cols = slice(h * d, (h + 1) * d)
            q, k, v = (x_q[b] @ W_q.T)[:, cols], (x_kv[b] @ W_k.T)[:, cols], (x_kv[b] @ W_v.T)[:, cols]
            s = np.where(full[b, h], q @ k.T / np.sqrt(d), -np.inf)
            w = np.exp(s - s.max(axis=1, keepdims=True))
            concat[b, :, cols] = (w / w.sum(axis=1, keepdims=True)) @ v
    out: np.ndarray = concat @ W_o.T
    return out


def test_reference_agrees_with_a_per_head_loop_on_every_case() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        want = _per_head_loop(
            a["x_q"], a["x_kv"], [a["W_q"], a["W_k"], a["W_v"], a["W_o"]], a["num_heads"], a.get("mask")
        )
        np.testing.assert_allclose(TASK.expected_outputs(case.calls[0])["out"], want, rtol=1e-10, atol=1e-12)


def test_masked_keys_have_no_influence() -> None:
    rng = np.random.default_rng(2)
    x_q, x_kv = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    W_q, W_k, W_v, W_o = (rng.standard_normal((4, 4)) for _ in range(4))
    mask = np.arange(5) < np.array([3, 2])[:, None]
    mask = mask.reshape(2, 1, 1, 5)
    out = multi_head_attention_forward(x_q, x_kv, W_q, W_k, W_v, W_o, 2, mask)
    moved = x_kv.copy()
    moved[0, 3:] += 10.0
    moved[1, 2:] -= 7.0
    np.testing.assert_allclose(multi_head_attention_forward(x_q, moved, W_q, W_k, W_v, W_o, 2, mask), out, rtol=1e-12)


def test_cases_cover_masks_heads_and_lengths() -> None:
    args = [c.calls[0].args for c in TASK.cases()]
    assert any(a["x_q"].shape[0] == 1 for a in args)
    assert any(a["x_q"].shape[1] > a["x_kv"].shape[1] for a in args)
    assert any(a["x_q"].shape[1] < a["x_kv"].shape[1] for a in args)
    assert {a["num_heads"] for a in args} >= {1, 2, 3, 4}
    assert any(a["x_q"].shape[2] == a["num_heads"] for a in args)  # heads of size 1
    assert {a["mask"].ndim for a in args if "mask" in a} == {2, 4}
    for a in args:
        if "mask" in a:
            full = np.broadcast_to(
                a["mask"], (a["x_q"].shape[0], a["num_heads"], a["x_q"].shape[1], a["x_kv"].shape[1])
            )
            assert full.any(axis=-1).all() and not full.all()


def test_worked_example_matches_the_reference() -> None:
    x_q = np.array([[[1.0, 0.0], [0.0, 2.0]]])
    x_kv = np.array([[[1.0, 1.0], [2.0, -1.0], [0.0, 1.0]]])
    eye, W_o = np.eye(2), np.array([[1.0, 1.0], [0.0, 1.0]])
    assert_in_statement(TASK_ID, multi_head_attention_forward(x_q, x_kv, eye, eye, eye, W_o, 2))
    mask = np.array([[True, False, False], [True, True, False]])
    assert_in_statement(TASK_ID, multi_head_attention_forward(x_q, x_kv, eye, eye, eye, W_o, 2, mask))
    assert_in_statement(TASK_ID, multi_head_attention_forward(x_q, x_kv, eye, eye, eye, W_o, 1))


def test_detector_variants_reduce_to_the_reference() -> None:
    for case in TASK.cases():
        call = case.calls[0]
        args = {"mask": None, **call.args}
        np.testing.assert_allclose(_variant_attend(args), TASK.expected_outputs(call)["out"], rtol=1e-12)
