"""Retired item ids (merged duplicates, moved items) resolve to the item kept, and their progress follows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from questions.aliases import RENAMED, current_id
from questions.loader import Bank
from quiz import scheduling
from quiz.store import Store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_every_retired_id_is_gone_and_points_at_a_live_item(bank: Bank) -> None:
    for old, new in RENAMED.items():
        assert old not in bank.by_id, f"{old} is retired but still in the bank"
        assert current_id(old) in bank.by_id, f"{old} -> {new}, which is not in the bank"


def test_bank_get_resolves_a_retired_id(bank: Bank) -> None:
    kept = bank.get("backpropagation.step-order-mcq")
    assert kept is not None and kept.id == "optimisers.step-order"
    moved = bank.get("precision_deployment.flinear-weight")
    assert moved is not None and moved.id == "torch_layers.flinear-weight" and moved.topic == "torch_layers"
    assert bank.get("no.such-item") is None


def test_chains_resolve_and_cycles_stop() -> None:
    assert current_id("a", {"a": "b", "b": "c"}) == "c"
    assert current_id("a", {"a": "b", "b": "a"}) in {"a", "b"}
    assert current_id("z", {"a": "b"}) == "z"


def test_the_store_moves_progress_of_retired_ids(tmp_path: Path) -> None:
    db = tmp_path / "progress.db"
    with Store(db) as store:
        # only the retired id was studied: its attempts and schedule move over
        scheduling.record_answer(store, "torch_layers.mha-param-count", now=NOW, correct=True)
        # both ids of a merged pair were studied: the more recently reviewed schedule wins
        scheduling.record_answer(store, "normalisation.bn-eval-uses", now=NOW, correct=False)
        scheduling.record_answer(store, "train_eval_mode.batchnorm-eval-stats", now=NOW + timedelta(days=1),
                                 correct=True)
        scheduling.record_answer(store, "train_eval_mode.tiny-batch-batchnorm", now=NOW + timedelta(days=2),
                                 rating=3)
        scheduling.record_answer(store, "normalisation.bn-small-batches", now=NOW, rating=1)
    with Store(db) as store:
        states = {s.item_id: s for s in store.review_states()}
        assert set(states) == {"param.mha-params", "train_eval_mode.batchnorm-eval-stats",
                               "normalisation.bn-small-batches"}
        assert states["train_eval_mode.batchnorm-eval-stats"].last_review == NOW + timedelta(days=1)
        assert states["normalisation.bn-small-batches"].last_review == NOW + timedelta(days=2)
        targets = sorted(a.target_id for a in store.attempts())
        assert targets == ["normalisation.bn-small-batches"] * 2 + ["param.mha-params"] + [
            "train_eval_mode.batchnorm-eval-stats"] * 2
