"""Recall and trend on the stats screen come from real attempts (not from the scheduler's prediction)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quiz import scheduling
from quiz.progress_stats import compute_stats
from quiz.store import Store
from tests.store.conftest import NOW

TOPICS = {"a": "losses", "b": "losses", "c": "losses"}


def answer(store: Store, item: str, correct: bool, minutes: int) -> None:
    scheduling.record_answer(store, item, now=NOW - timedelta(minutes=minutes), correct=correct)


def test_recall_is_the_share_of_items_whose_latest_answer_was_right(store: Store) -> None:
    answer(store, "a", True, 50)
    answer(store, "a", False, 40)  # a: failed last time, just reviewed (the scheduler predicts ~100%)
    answer(store, "b", False, 30)
    answer(store, "b", True, 20)  # b: right last time
    (losses,) = compute_stats(store, TOPICS, {}, NOW).topics
    assert losses.recall == pytest.approx(0.5)
    assert losses.share_correct == pytest.approx(0.5)
    assert losses.avg_retrievability is not None and losses.avg_retrievability > 0.9  # why it is not "recall"


def test_recall_after_nothing_but_failures_is_zero(store: Store) -> None:
    answer(store, "a", False, 10)
    (losses,) = compute_stats(store, TOPICS, {}, NOW).topics
    assert losses.recall == 0.0 and losses.trend is None  # one attempt: no trend yet


@pytest.mark.parametrize(("outcomes", "trend"), [
    ([False, False, True, True], 1.0),  # 2 against 2
    ([True, True, False, False], -1.0),
    ([False, True, False, True, True, True], pytest.approx(1 - 1 / 3)),  # 3 against 3
    ([True, True, True], 0.0),  # window 1 < 2 would be noise: only from 4 attempts
])
def test_trend_compares_the_latest_attempts_with_those_before(
    store: Store, outcomes: list[bool], trend: object
) -> None:
    for n, ok in enumerate(outcomes):
        answer(store, "abc"[n % 3], ok, 100 - n)
    (losses,) = compute_stats(store, TOPICS, {}, NOW).topics
    if len(outcomes) < 4:
        assert losses.trend is None
    else:
        assert losses.trend == trend
