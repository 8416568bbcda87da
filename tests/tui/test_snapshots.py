"""Snapshots of the main screens at 80x24 and 120x40 (`pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quiz.app import NnprepApp
from tests.tui.seed import seed_progress
from tests.tui.waiting import wait_until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_practice_item(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("p")
        await _settle(pilot)
        pilot.app.screen.query_one("#topics").select("activations")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        body = pilot.app.screen.body
        wrong = min(set(range(len(body.order))) - body.right) + 1
        await pilot.press(str(wrong), "enter")  # answer wrongly: shows both explanations
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_task_screen(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("c")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        editor = pilot.app.screen.query_one("#editor")
        editor.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_stats(snap_compare: Any, make_app: Callable[..., NnprepApp], db: Path, size: tuple[int, int]) -> None:
    seed_progress(db)

    async def run_before(pilot: Any) -> None:
        await pilot.press("s")
        await _settle(pilot)
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "plot_drawn", False))  # it draws after a refresh

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
