"""Honest spaced repetition in the app: intervals on the rating buttons, Again relearned in the session, live
due counts on home, every answer counted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quiz import scheduling
from quiz.app import NnprepApp
from quiz.store import Store
from tests.tui.conftest import Clock
from tests.tui.test_practice import answer_current, start
from tests.tui.waiting import wait_until


async def test_rating_buttons_show_the_interval_fsrs_would_schedule(
    make_app: Callable[..., NnprepApp], db: Path, clock: Clock
) -> None:
    with Store(db) as store:  # a card seen before: its intervals differ from a new card's
        scheduling.record_answer(store, "t.flash", now=clock.now, rating=3)
        state = store.get_review_state("t.flash")
    clock.advance(days=3)
    want = {r: scheduling.interval_text(d) for r, d in
            scheduling.preview_intervals(state, "t.flash", clock.now).items()}
    assert len(set(want.values())) > 1
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot, "backpropagation")
        await pilot.press("ctrl+r")
        for rating, text in want.items():
            label = str(app.screen.query_one(f"#rate-{rating}").label)
            assert label.endswith(f"· {text}"), (rating, label)


async def test_again_comes_back_in_the_same_session(make_app: Callable[..., NnprepApp], db: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot, "backpropagation", "activations")  # t.flash and t.mcq
        seen = []
        while type(app.screen).__name__ == "ItemScreen":
            screen: Any = app.screen
            seen.append(screen.item.id)
            # fail each item the first time it shows, then get it right
            await answer_current(pilot, right=seen.count(screen.item.id) > 1)
        assert sorted(seen) == ["t.flash", "t.flash", "t.mcq", "t.mcq"]
        assert "0/2 right" in str(app.screen.query_one("#summary-score").render())
    with Store(db) as store:
        assert len(store.attempts(kind="item")) == 4  # the relearning answers are recorded too


async def test_home_due_count_is_live(make_app: Callable[..., NnprepApp], db: Path, clock: Clock,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("quiz.tui.screens.home.DUE_REFRESH_SECONDS", 0.05)
    with Store(db) as store:
        scheduling.record_answer(store, "t.mcq", now=clock.now, correct=False)  # Again: due in minutes
        scheduling.record_answer(store, "t.numeric", now=clock.now, correct=False)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: "Reviews due: 0" in str(app.screen.query_one("#due").render()))
        clock.advance(hours=1)  # nothing pressed: the count follows the clock
        await wait_until(pilot, lambda: "Reviews due: 2" in str(app.screen.query_one("#due").render()))


async def test_keys_typed_as_a_review_starts_reach_its_first_item(
    make_app: Callable[..., NnprepApp], db: Path, clock: Clock
) -> None:
    from tests.tui.keyboard import type_burst

    with Store(db) as store:
        scheduling.record_answer(store, "t.numeric", now=clock.now, correct=False)
    clock.advance(hours=1)
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: "Reviews due: 1" in str(app.screen.query_one("#due").render()))
        home = app.screen
        await type_burst(pilot, "r", "55", "enter", settle=5)  # on home, enter would open the menu's first entry
        await wait_until(pilot, lambda: getattr(app.screen, "result", None) is not None)
        screen: Any = app.screen
        assert screen.item.id == "t.numeric" and screen.result.correct and screen.result.answer == "55"
        assert not home.hold_keys
