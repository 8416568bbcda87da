"""`--skip-tag`: the practice setup's pool and the session leave out items with a skipped tag."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter

from questions.schema import Item
from quiz.app import NnprepApp
from quiz.tui.services import BankView
from tests.tui.bank import ITEMS, fixed_items


def _bank_with_trivia() -> BankView:
    trivia = {**ITEMS[3], "id": "t.trivia", "tags": ["api-trivia"]}
    return BankView([*fixed_items(), TypeAdapter(Item).validate_python(trivia)], [])


async def test_practice_pool_leaves_out_skipped_tags(make_app: Callable[..., NnprepApp]) -> None:
    for skip, expected in (((), 6), (("api-trivia",), 5)):
        app = make_app(bank=_bank_with_trivia(), skip_tags=skip)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("p")
            await pilot.pause()
            screen: Any = app.screen
            for _ in range(100):  # the bank loads in a worker thread: wait for it, not for a fixed time
                if screen.bank is not None:
                    break
                await pilot.pause(0.05)
            await pilot.pause()
            assert str(screen.query_one("#pool").render()) == f"{expected} matching items"
            assert ("t.trivia" in {i.id for i in screen._pool()}) is (not skip)
