"""Practice sessions: setup, each item type, flashcard reveal and rating, the summary, review due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from quiz.app import NnprepApp
from quiz.store import Store
from tests.tui.conftest import Clock


async def start(pilot: Pilot[Any], *topics: str) -> None:
    """Open practice, tick the given topics (none: all topics), start."""
    await pilot.press("p")
    await pilot.pause()
    topic_list: Any = pilot.app.screen.query_one("#topics")
    for topic in topics:
        topic_list.select(topic)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def answer_current(pilot: Pilot[Any], *, right: bool = True) -> str:
    """Answer whatever item is shown; returns its type."""
    screen: Any = pilot.app.screen
    item = screen.item
    if item.type == "flashcard":
        await pilot.press("ctrl+r")  # focus is in the answer box, where space is text
        await pilot.pause()
        await pilot.press("space", "3" if right else "1")
    elif item.type == "mcq":
        shown_right = screen.body.right  # positions in the shuffled order the candidate sees
        correct = [k + 1 for k in sorted(shown_right)]
        chosen = correct if right else [k + 1 for k in range(len(item.choices)) if k not in shown_right][:1]
        if len(correct) > 1:
            await pilot.press(*(str(n) for n in chosen), "enter")
        else:
            await pilot.press(str(chosen[0]), "enter")
        await pilot.pause()
        await pilot.press("n")
    else:
        text = {"t.numeric": "55", "t.shape": "(32, 5)"}[item.id] if right else "7"
        await pilot.press(*text, "enter")
        await pilot.pause()
        await pilot.press("n")
    await pilot.pause()
    return str(item.type)


async def test_session_answers_every_item_type_and_records_them(
    make_app: Callable[..., NnprepApp], db: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot)
        seen = []
        for _ in range(5):
            assert type(app.screen).__name__ == "ItemScreen"
            seen.append(await answer_current(pilot))
        assert sorted(seen) == ["flashcard", "mcq", "mcq", "numeric", "shape"]
        assert type(app.screen).__name__ == "SummaryScreen"
        assert "5/5 right" in str(app.screen.query_one("#summary-score").render())
    with Store(db) as store:
        attempts = store.attempts(kind="item")
        assert len(attempts) == 5
        assert all(a.correct is not False for a in attempts)
        assert len(store.review_states()) == 5


async def test_mcq_feedback_explains_right_and_chosen_wrong(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot, "activations")
        screen: Any = app.screen
        assert screen.item.id == "t.mcq"
        order = screen.body.order  # order[k]: the bank index shown at position k
        right, wrong = order.index(1) + 1, order.index(2) + 1  # "1" is right, "2" (the value) is wrong
        await pilot.press(*["down"] * wrong, "enter")
        await pilot.pause()
        feedback = screen.query_one("#feedback")
        assert feedback.display
        text = feedback.source
        assert "Not quite" in text
        assert f"Right answer {right}." in text and "identity for positive inputs" in text
        assert f"You chose {wrong}." in text and "the value, not the slope" in text


async def test_numeric_feedback_shows_the_answer(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot, "flops_params_memory")
        screen: Any = app.screen
        assert screen.item.id == "t.numeric"
        await pilot.press(*"60", "enter")
        await pilot.pause()
        text = screen.query_one("#feedback").source
        assert "Not quite" in text and "55" in text
        assert screen.result is not None and screen.result.correct is False


async def test_flashcard_reveal_tick_and_rate(make_app: Callable[..., NnprepApp], db: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot, "backpropagation")
        screen: Any = app.screen
        assert screen.item.type == "flashcard"
        assert not screen.query_one("#revealed").display
        await pilot.press("4")  # before revealing, a digit is text in the answer box, not a rating
        assert screen.result is None and screen.query_one("#answer-box").text == "4"
        await pilot.press("tab", "space")  # out of the box, space reveals
        await pilot.pause()
        assert screen.query_one("#revealed").display
        assert "broadcast" in screen.query_one("#model-answer").source
        await pilot.press("space")  # tick the first key point
        assert list(screen.query_one("#key-points").selected) == [0]
        await pilot.press("4")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
    with Store(db) as store:
        (attempt,) = store.attempts(kind="item")
        assert attempt.rating == 4 and attempt.correct is None
        assert "key points 1/2" in attempt.answer


async def test_wrong_answers_come_back_for_review(make_app: Callable[..., NnprepApp], clock: Clock) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot)
        shown = 0
        while type(app.screen).__name__ == "ItemScreen":
            await answer_current(pilot, right=False)
            shown += 1
        assert shown == 5 * 3  # each wrong item relearned twice within the session
        assert "0/5 right" in str(app.screen.query_one("#summary-score").render())
        assert "10 relearned" in str(app.screen.query_one("#summary-score").render())
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.pause()
        clock.advance(days=1)
        home: Any = app.screen
        home.refresh_counts()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Reviews due: 5" in str(home.query_one("#due").render())
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemScreen"
        assert len(app.screen.session.items) == 5  # type: ignore[attr-defined]


async def test_leaving_a_session_asks_first(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot)
        await answer_current(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemScreen"
        await pilot.press("escape", "y")
        await pilot.pause()
        assert type(app.screen).__name__ == "PracticeSetupScreen"


async def test_leeches_are_flagged_and_offered_for_a_focused_session(
    make_app: Callable[..., NnprepApp], db: Path, clock: Clock
) -> None:
    from quiz import scheduling
    from tests.tui.bank import fixed_items

    leech = fixed_items()[0]
    with Store(db) as store:
        for n in range(8):  # failed eight times: a leech
            scheduling.record_answer(store, leech.id, now=clock.now + timedelta(hours=n), correct=False, answer="x")
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "leeches: 1" in str(app.screen.query_one("#due").render())
        await pilot.press("l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert type(app.screen).__name__ == "ItemScreen"
        session = app.screen.session  # type: ignore[attr-defined]
        assert [i.id for i in session.items] == [leech.id] and session.config.mode == "leeches"


async def test_no_leech_key_without_leeches(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "leeches" not in str(app.screen.query_one("#due").render())
        await pilot.press("l")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_choices_are_shuffled_nothing_is_preselected_and_the_order_is_recorded(
    make_app: Callable[..., NnprepApp], db: Path
) -> None:
    from quiz.choice_order import shuffled_order

    assert len({tuple(shuffled_order(5, f"{s}:x")) for s in range(20)}) > 5  # many orders, not one
    app = make_app(seed=3)
    async with app.run_test(size=(100, 32)) as pilot:
        await start(pilot, "activations")
        screen: Any = app.screen
        body = screen.body
        assert screen.item.id == "t.mcq" and sorted(body.order) == [0, 1, 2]
        assert body.order == shuffled_order(3, "3000:t.mcq")  # seeded by the app's seed and the item
        assert screen.query_one("#choices").highlighted is None  # nothing pre-selected
        await pilot.press("enter")  # enter before picking answers nothing
        await pilot.pause()
        assert screen.result is None
        key = body.order.index(1) + 1
        label = str(screen.query_one("#choices").get_option_at_index(key - 1).prompt)
        assert label.startswith(f"{key}. 1")  # the key "1" is shown at its shuffled position
        await pilot.press(str(key), "enter")
        await pilot.pause()
        assert screen.result is not None and screen.result.correct
    with Store(db) as store:
        (attempt,) = store.attempts(kind="item")
        shown = ",".join(str(b + 1) for b in body.order)
        assert attempt.answer == f"{key} [shown order {shown}]"
