"""Snapshots of the remaining screens at 80x24 and 120x40: nothing cut, nothing random (fixed bank, seed, clock;
cursors still). Regenerate after a deliberate change with ``pytest --snapshot-update``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from quiz.app import NnprepApp
from tests.tui.conftest import Clock
from tests.tui.keyboard import type_burst
from tests.tui.mock_driving import concept_answers, go_to, index_of, settle, start_custom
from tests.tui.test_practice import answer_current

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def still(pilot: Any) -> None:
    """Settle, and stop every cursor blinking (a blink would make the picture depend on timing), on every screen
    of the stack: a dialog leaves the screen behind it in view, and that screen's input still blinked."""
    await settle(pilot)
    for screen in pilot.app.screen_stack:
        for widget in [*screen.query(TextArea), *screen.query(Input)]:
            widget.cursor_blink = False
    await pilot.pause()


async def open_practice(pilot: Any, *topics: str) -> None:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    for topic in topics:
        pilot.app.screen.query_one("#topics").select(topic)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_practice_setup(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await open_practice(pilot, "activations")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_flashcard_revealed(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await open_practice(pilot, "backpropagation")
        await type_burst(pilot, "ctrl+s", "the bias is broadcast", "ctrl+r")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_practice_summary(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await open_practice(pilot, "activations", "shapes_broadcasting")
        await pilot.press("ctrl+s")
        await settle(pilot)
        while type(pilot.app.screen).__name__ == "ItemScreen":
            await answer_current(pilot, right=pilot.app.screen.item.id == "t.mcq")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_task_list(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("c")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_mock_setup_custom(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("end")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_mock_self_assessment(snap_compare: Any, make_app: Callable[..., NnprepApp], clock: Clock,
                              size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        screen = await start_custom(pilot)
        flash = index_of(screen, "t.flash")
        await go_to(pilot, screen, flash)
        await pilot.press(*concept_answers(screen)["t.flash"])
        clock.advance(minutes=1)
        screen.tick()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


def test_too_small(snap_compare: Any, make_app: Callable[..., NnprepApp]) -> None:
    """At 70x20 only the message shows, and keys do not reach the screen behind it (p would open practice)."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await type_burst(pilot, "p", "c", "down", "enter", "m")
        assert type(pilot.app.screen).__name__ == "HomeScreen"
        assert "needs at least 80x24" in str(pilot.app.screen.query_one("#too-small").render())

    assert snap_compare(make_app(), terminal_size=(70, 20), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_leave_mock_dialog(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await start_custom(pilot)
        await pilot.press("escape")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_end_session_dialog(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await open_practice(pilot, "activations", "shapes_broadcasting")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await answer_current(pilot, right=True)
        await pilot.press("escape")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog_with_a_bad_extension(snap_compare: Any, make_app: Callable[..., NnprepApp],
                                           clock: Clock, size: tuple[int, int]) -> None:
    from tests.tui.test_mock_snapshots import finished_report

    async def run_before(pilot: Any) -> None:
        from quiz.tui.screens.mock_report import MockReportScreen

        await settle(pilot)
        pilot.app.push_screen(MockReportScreen(finished_report(pilot.app, clock)))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        box = pilot.app.screen.query_one("#export-path", Input)
        box.value = "/tmp/report.txt"
        await pilot.press("enter")
        await still(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
