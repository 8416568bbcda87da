"""The keyboard contract, typed like a person: keys arrive in bursts, also while a screen is being replaced.

In any text box every printable key is text; reveal and ratings act only outside text boxes or after reveal; each
item has focus on its answer as soon as it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from quiz.app import NnprepApp
from quiz.choice_order import shuffled_order
from quiz.store import Store
from tests.tui.keyboard import type_burst
from tests.tui.waiting import wait_until

FLASH_TEXT = "16 bytes per param: weights 4, grads 4, Adam 8. 1 2 3 4 n"
VALUES = {"t.numeric": "55", "t.shape": "(32, 5)"}


async def open_setup(pilot: Any, *topics: str) -> None:
    await pilot.press("p")
    await pilot.pause()
    for topic in topics:
        pilot.app.screen.query_one("#topics").select(topic)


def answer_keys(item: Any, position: int, seed: int) -> list[str]:
    """The keys a person types to answer ``item`` (the ``position``-th of the session) right, and move on."""
    if item.type == "flashcard":
        return [FLASH_TEXT, "ctrl+r", "3"]  # type, reveal, rate Good (moves on by itself)
    if item.type == "mcq":
        order = shuffled_order(len(item.choices), f"{seed * 1000 + position}:{item.id}")
        keys = [str(k + 1) for k, b in enumerate(order) if item.choices[b].correct]
        return [*keys, "enter", "n"]
    return [VALUES[item.id], "enter", "n"]


async def test_flashcard_typing_stays_text_until_the_candidate_reveals(
    make_app: Callable[..., NnprepApp], db: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_setup(pilot, "backpropagation")
        await type_burst(pilot, "ctrl+s", FLASH_TEXT)  # typing starts while the item screen is being shown
        screen: Any = app.screen
        assert type(screen).__name__ == "ItemScreen" and screen.item.type == "flashcard"
        box = screen.query_one("#answer-box")
        assert app.focused is box and box.text == FLASH_TEXT  # spaces and digits were text
        assert not screen.body.revealed and screen.result is None
        await type_burst(pilot, "tab", "space")  # outside the box, space reveals
        assert screen.body.revealed
        await type_burst(pilot, "2")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
    with Store(db) as store:
        (attempt,) = store.attempts(kind="item")
        assert attempt.rating == 2 and attempt.answer.startswith(FLASH_TEXT)


async def test_ctrl_r_reveals_from_inside_the_box(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await open_setup(pilot, "backpropagation")
        await type_burst(pilot, "ctrl+s", "why")
        await pilot.press("ctrl+r")
        screen: Any = app.screen
        assert screen.body.revealed and screen.query_one("#answer-box").text == "why"


async def test_a_whole_session_typed_in_one_burst(make_app: Callable[..., NnprepApp], db: Path) -> None:
    """Every key of the session at once: answers typed while the next item is still being shown land in it."""
    app = make_app(seed=7)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_setup(pilot)
        await type_burst(pilot, "ctrl+s")
        items = list(app.screen.session.items)  # type: ignore[attr-defined]
        keys = [k for n, item in enumerate(items) for k in answer_keys(item, n, 7)]
        await type_burst(pilot, *keys, settle=10)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "SummaryScreen")
        assert "5/5 right" in str(app.screen.query_one("#summary-score").render())
    with Store(db) as store:
        answers = {a.target_id: a.answer for a in store.attempts(kind="item")}
        assert answers["t.flash"].startswith(FLASH_TEXT)
        assert answers["t.numeric"] == "55" and answers["t.shape"] == "(32, 5)"


async def test_focus_is_on_the_answer_of_every_item_type(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app(seed=7)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_setup(pilot)
        await type_burst(pilot, "ctrl+s")
        items = list(app.screen.session.items)  # type: ignore[attr-defined]
        for n, item in enumerate(items):
            screen: Any = app.screen
            assert screen.item is item
            want = {"flashcard": "answer-box", "mcq": "choices"}.get(item.type, "value")
            assert app.focused is not None and app.focused.id == want, (item.id, app.focused)
            await type_burst(pilot, *answer_keys(item, n, 7))
            await wait_until(pilot, lambda shown=screen: app.screen is not shown)
