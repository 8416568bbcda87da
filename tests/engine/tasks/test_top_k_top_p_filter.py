"""Task ``top_k_top_p_filter``: the nucleus rule, the cases' margins and mistakes, the worked example, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.softmax import stable_softmax
from engine.tasks.top_k_top_p_filter import _filter, filter_logits
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "top_k_top_p_filter"


def _sorted_rule(z: np.ndarray, top_p: float) -> np.ndarray:
    """The sort-and-cumsum formulation of top-p, for one row (ties broken by position)."""
    order = np.argsort(-z, kind="stable")
    p = stable_softmax(z)[order]
    keep = np.zeros(z.shape, dtype=bool)
    keep[order] = (np.cumsum(p) - p) < top_p
    return keep


def test_kept_mass_reaches_top_p_and_is_the_smallest_such_set() -> None:
    for seed, case in enumerate(get_task(TASK_ID).cases(hidden_seed=5)):
        a = case.calls[0].args
        if a["top_p"] >= 1.0:
            continue
        kept_k = _filter(a["logits"], a["top_k"], 1.0, a["temperature"])  # top-k and temperature alone
        out, v = filter_logits(**a), a["logits"].shape[-1]
        for zk, row in zip(kept_k.reshape(-1, v), out.reshape(-1, v), strict=True):
            p = stable_softmax(zk)
            kept = np.isfinite(row)
            assert p[kept].sum() >= a["top_p"] - 1e-12, (seed, case.name)
            smallest = np.argmin(np.where(kept, p, np.inf))
            assert p[kept].sum() - p[smallest] < a["top_p"] or kept.sum() == 1, (seed, case.name)
            np.testing.assert_array_equal(kept, _sorted_rule(zk, a["top_p"]) & np.isfinite(zk))


def test_cases_catch_each_mistake_on_many_seeds() -> None:
    knobs = [{"strict_p": True}, {"p_first": True}, {"exact_k": True}, {"set_temperature": 1.0}]
    for seed in range(20):
        cases = get_task(TASK_ID).cases(hidden_seed=seed)
        for knob in knobs:
            assert any(
                not np.array_equal(_filter(**c.calls[0].args, **knob), filter_logits(**c.calls[0].args))
                for c in cases
                if not c.visible
            ), (seed, knob)
    largest = max(float(np.max(c.calls[0].args["logits"])) for c in cases)
    assert largest > 900.0


def test_worked_example() -> None:
    logits = np.array([4.0, 2.0, 1.0, 1.0, -2.0, 0.0])
    out = filter_logits(logits, top_k=3, top_p=0.9, temperature=2.0)
    np.testing.assert_array_equal(out, [2.0, 1.0, 0.5, 0.5, -np.inf, -np.inf])
    p = stable_softmax(np.where(np.isfinite(out), out, -np.inf))
    assert_written_in_statement(TASK_ID, logits / 2.0, p)
    np.testing.assert_array_equal(filter_logits(logits, 3, 0.6, 2.0), [2.0, 1.0] + [-np.inf] * 4)
    np.testing.assert_array_equal(filter_logits(logits), logits)


def test_matches_the_pytorch_warper_chain() -> None:
    torch = pytest.importorskip("torch")
    for case in get_task(TASK_ID).cases():
        a = case.calls[0].args
        scores = torch.tensor(a["logits"]) / a["temperature"]
        if 0 < a["top_k"] < scores.shape[-1]:
            kth = torch.topk(scores, a["top_k"])[0][..., -1, None]
            scores = scores.masked_fill(scores < kth, -float("inf"))
        if a["top_p"] < 1.0:
            sorted_logits, sorted_idx = torch.sort(scores, descending=False)
            cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
            remove = cum <= (1 - a["top_p"])
            remove[..., -1:] = False
            scores = scores.masked_fill(remove.scatter(-1, sorted_idx, remove), -float("inf"))
        np.testing.assert_allclose(filter_logits(**a), scores.numpy(), rtol=1e-12)
