"""Task ``sample_token``: the worked example, an independent sampler, the cases' margins and mistakes, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.sample_token import U_MARGIN, _distributions, _picks, sample_token
from engine.tasks.softmax import stable_softmax
from engine.tasks.top_k_top_p_filter import filter_logits
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "sample_token"


def _loop_sampler(logits: np.ndarray, u: np.ndarray, temperature: float, top_k: int, top_p: float) -> np.ndarray:
    """One row at a time, written from the statement: sort for top-k and top-p, then walk the CDF in vocabulary
    order until it passes u."""
    out = []
    for row, draw in zip(logits, u, strict=True):
        z = row / temperature
        order = sorted(range(z.size), key=lambda i: -z[i])
        keep = [bool(np.isfinite(z[i])) for i in range(z.size)]
        if 0 < top_k < z.size:
            kth = z[order[top_k - 1]]
            keep = [k and z[i] >= kth for i, k in enumerate(keep)]
        if top_p < 1.0:
            w = [float(np.exp(z[i] - z[order[0]])) if keep[i] else 0.0 for i in range(z.size)]
            total = sum(w)
            for i in range(z.size):
                above = sum(w[j] for j in range(z.size) if w[j] > w[i]) / total
                keep[i] = keep[i] and above < top_p
        w = [float(np.exp(z[i] - z[order[0]])) if keep[i] else 0.0 for i in range(z.size)]
        running, total = 0.0, sum(w)
        for i in range(z.size):
            running += w[i] / total
            if draw < running:
                out.append(i)
                break
    return np.array(out)


def test_worked_example() -> None:
    logits = np.array([[4.0, 2.0, 1.0, 1.0, -2.0, 0.0]] * 2)
    u = np.array([0.8, 0.95])
    np.testing.assert_array_equal(sample_token(logits, u, temperature=2.0, top_k=3, top_p=0.9), [2, 3])
    p = stable_softmax(filter_logits(logits[0], 3, 0.9, 2.0))
    assert_written_in_statement(TASK_ID, p, np.cumsum(p), np.cumsum(stable_softmax(logits[0] / 2.0)))
    assert_written_in_statement(TASK_ID, "tokens = [2, 3]")
    assert sample_token(logits, u, temperature=2.0)[1] == 5  # unfiltered: a token top-k drops


def test_matches_an_independent_sampler_on_every_case() -> None:
    for seed in range(5):
        for case in get_task(TASK_ID).cases(hidden_seed=seed):
            a = case.calls[0].args
            want = _loop_sampler(a["logits"], a["u"], a["temperature"], a["top_k"], a["top_p"])
            np.testing.assert_array_equal(sample_token(**a), want, err_msg=f"{seed} {case.name}")


def test_draws_keep_their_margin_and_cases_catch_each_mistake() -> None:
    for seed in range(15):
        cases = {c.name: c.calls[0].args for c in get_task(TASK_ID).cases(hidden_seed=seed)}
        for a in cases.values():
            c = np.cumsum(_distributions(a["logits"], a["top_k"], a["top_p"], a["temperature"])["right"], axis=-1)
            assert np.min(np.abs(c - a["u"][:, None])) >= U_MARGIN and np.all(a["u"] >= U_MARGIN)
        for name, mistake in [
            ("one_row", "greedy"),
            ("top_k", "unfiltered"),
            ("top_p", "not_renormalised"),
            ("hot", "no_temperature"),
            ("cold", "no_temperature"),
        ]:
            a = cases[name]
            picks = _picks(a["logits"], a["u"], a["top_k"], a["top_p"], a["temperature"])
            assert not np.array_equal(picks[mistake], picks["right"]), (seed, name)
        a = cases["dropped"]
        kept = np.isfinite(filter_logits(a["logits"], a["top_k"], a["top_p"], a["temperature"]))
        unfiltered = sample_token(a["logits"], a["u"], a["temperature"])
        assert not np.any(kept[np.arange(len(unfiltered)), unfiltered]), seed
        assert cases["one_row"]["logits"].shape[0] == 1 and cases["top_p"]["logits"].shape[0] > 1


def test_matches_pytorch_filter_and_searchsorted() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        scores = torch.tensor(a["logits"]) / a["temperature"]
        if 0 < a["top_k"] < scores.shape[-1]:
            kth = torch.topk(scores, a["top_k"])[0][..., -1, None]
            scores = scores.masked_fill(scores < kth, -float("inf"))
        if a["top_p"] < 1.0:
            sorted_logits, sorted_idx = torch.sort(scores, descending=False)
            remove = sorted_logits.softmax(dim=-1).cumsum(dim=-1) <= (1 - a["top_p"])
            remove[..., -1:] = False
            scores = scores.masked_fill(remove.scatter(-1, sorted_idx, remove), -float("inf"))
        cdf = scores.softmax(dim=-1).cumsum(dim=-1)
        tokens = torch.searchsorted(cdf, torch.tensor(a["u"])[:, None], right=True)[:, 0]
        np.testing.assert_array_equal(sample_token(**a), tokens.numpy())
