"""Snapshots of the mock screen and the report at 80x24 and 120x40 (fixed bank, seed and clock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from quiz.app import NnprepApp
from tests.tui.conftest import Clock
from tests.tui.mock_driving import CONCEPTS, go_to, index_of, settle, start_custom

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def still_cursors(screen: Any) -> None:
    """A blinking cursor would make the picture depend on timing."""
    for widget in [*screen.query(TextArea), *screen.query(Input)]:
        widget.cursor_blink = False


@pytest.mark.parametrize("size", SIZES)
def test_mock_screen(snap_compare: Any, make_app: Callable[..., NnprepApp], clock: Clock,
                     size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        screen = await start_custom(pilot)
        await go_to(pilot, screen, index_of(screen, "t.mcq"))
        await pilot.press("2")  # answered: a filled dot in the list, no feedback
        await go_to(pilot, screen, index_of(screen, "t.numeric"))
        clock.advance(minutes=1, seconds=15)
        screen.tick()
        still_cursors(screen)
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def finished_report(app: NnprepApp, clock: Clock) -> Any:
    """The custom mock of the Pilot tests, answered and assessed through the core with the fake clock."""
    from quiz.mock.presets import custom_preset
    from quiz.mock.service import finish_mock, start_mock

    store = app.services.store()
    items = {i.id: i for i in app.services.bank().items}
    tasks = app.services.task_texts()
    session = start_mock(store, custom_preset(10, 5, [], []), list(items.values()), tasks, 11, app.services.clock)
    for entry in session.state.plan.entries:
        session.go_to(entry.index)
        session.set_answer(entry.index, CONCEPTS.get(entry.ref, ""))
        clock.advance(seconds=50)
    session.submit()
    session.assess(next(e.index for e in session.state.plan.entries if e.ref == "t.flash"), [0])
    return finish_mock(store, session, items, tasks)


@pytest.mark.parametrize("size", SIZES)
def test_mock_report(snap_compare: Any, make_app: Callable[..., NnprepApp], clock: Clock,
                     size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        from quiz.tui.screens.mock_report import MockReportScreen

        await settle(pilot)
        await pilot.app.push_screen(MockReportScreen(finished_report(pilot.app, clock)))
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
