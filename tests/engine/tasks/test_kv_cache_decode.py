"""Task ``kv_cache_decode``: the step agrees with full causal attention, cases cover the edges, worked example."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.attention import attention_forward
from engine.tasks.kv_cache_decode import attend, attend_with_cache
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "kv_cache_decode"


def test_decoding_token_by_token_equals_causal_attention_over_the_sequence() -> None:
    rng = np.random.default_rng(5)
    B, H, L, D, Dv = 2, 3, 6, 4, 5
    Q, K, V = rng.standard_normal((B, H, L, D)), rng.standard_normal((B, H, L, D)), rng.standard_normal((B, H, L, Dv))
    causal = np.tril(np.ones((L, L), dtype=bool))
    full = attention_forward(Q, K, V, causal)
    k_cache, v_cache = np.zeros((B, H, 0, D)), np.zeros((B, H, 0, Dv))
    for t in range(L):
        out, k_cache, v_cache = attend_with_cache(Q[..., t, :], K[..., t, :], V[..., t, :], k_cache, v_cache)
        np.testing.assert_allclose(out, full[..., t, :], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(k_cache, K)
    np.testing.assert_array_equal(v_cache, V)


def test_cases_cover_empty_cache_heads_and_large_scores() -> None:
    cases = get_task(TASK_ID).cases(hidden_seed=31)
    lengths = {c.calls[0].args["k_cache"].shape[-2] for c in cases}
    ranks = {c.calls[0].args["q_t"].ndim for c in cases}
    assert {0, 1} <= lengths and {1, 2, 3} <= ranks
    largest = 0.0
    for case in cases:
        a = case.calls[0].args
        keys = np.concatenate([a["k_cache"], a["k_t"][..., None, :]], axis=-2)
        largest = max(largest, float(np.abs(keys @ a["q_t"][..., None]).max() / np.sqrt(a["q_t"].shape[-1])))
        assert a["q_t"].shape[-1] != a["v_t"].shape[-1] or a["q_t"].ndim == 1
    assert largest >= 900.0


def test_worked_example() -> None:
    k_cache, v_cache = np.array([[2.0, 0.0], [0.0, 0.0]]), np.array([[4.0, 0.0], [0.0, 2.0]])
    q, k, v = np.array([1.0, 0.0]), np.array([0.0, 2.0]), np.array([1.0, 1.0])
    out, K, V = attend_with_cache(q, k, v, k_cache, v_cache)
    scores = K @ q / np.sqrt(2.0)
    weights = np.exp(scores) / np.exp(scores).sum()
    assert_written_in_statement(TASK_ID, scores, weights, out, attend(q, k_cache, v_cache))
    np.testing.assert_array_equal(K, [[2, 0], [0, 0], [0, 2]])
    np.testing.assert_array_equal(V, [[4, 0], [0, 2], [1, 1]])


def test_matches_pytorch_sdpa() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        out, K, V = attend_with_cache(**a)
        q = torch.tensor(a["q_t"])[..., None, :]
        want = torch.nn.functional.scaled_dot_product_attention(q, torch.tensor(K), torch.tensor(V))[..., 0, :]
        np.testing.assert_allclose(out, want.numpy(), rtol=1e-10, atol=1e-10)
