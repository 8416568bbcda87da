"""Snapshots of the main screens at 80x24 and 120x40 (`pytest --snapshot-update` after a deliberate change)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from quiz.app import NnprepApp
from tests.tui.seed import seed_progress
from tests.tui.waiting import wait_until


@pytest.fixture
def still_editor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code editors that never blink, from the moment they are built.

    Turning the blink off once the editor is on screen is not enough: TextArea caches each rendered line under a
    key that, with the blink off, no longer says whether the cursor is drawn. A line rendered during the blink's
    "off" half-second is then reused without the cursor, so the picture depended on how long the test took to
    reach the screen (the snapshot failed about one run in three under load).
    """
    build = TextArea.code_editor.__func__

    def code_editor(cls: type[TextArea], *args: Any, **kwargs: Any) -> TextArea:
        editor = build(cls, *args, **kwargs)
        editor.cursor_blink = False
        return editor

    monkeypatch.setattr(TextArea, "code_editor", classmethod(code_editor))


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
@pytest.mark.usefixtures("still_editor")
def test_task_screen(snap_compare: Any, make_app: Callable[..., NnprepApp], size: tuple[int, int]) -> None:
    async def run_before(pilot: Any) -> None:
        await pilot.press("c")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        assert pilot.app.screen.query_one("#editor", TextArea).cursor_blink is False

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_stats(snap_compare: Any, make_app: Callable[..., NnprepApp], db: Path, size: tuple[int, int]) -> None:
    seed_progress(db)

    async def run_before(pilot: Any) -> None:
        await pilot.press("s")
        await _settle(pilot)
        await wait_until(pilot, lambda: getattr(pilot.app.screen, "plot_drawn", False))  # it draws after a refresh

    assert snap_compare(make_app(), terminal_size=size, run_before=run_before)
