"""A worker thread that finishes after its screen has gone (the app quit, the screen was left) changes nothing and
raises nothing: quitting while home still counts the reviews due must not end in a traceback."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from quiz.app import NnprepApp
from quiz.tui.services import Services


async def test_quitting_while_home_still_counts(make_app: Callable[..., NnprepApp],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker answers after the app has closed its screens (their widgets are gone) but before it stops."""
    opened = Services.progress.fget  # type: ignore[attr-defined]
    asked, release = threading.Event(), threading.Event()

    def slow(self: Services) -> object:
        asked.set()
        release.wait(10)  # the worker is still reading while the app quits
        return opened(self)

    monkeypatch.setattr(Services, "progress", property(slow))
    app = make_app()
    close_all = app._close_all

    async def close_then_answer() -> None:
        await close_all()
        release.set()
        await app.workers.wait_for_complete()

    monkeypatch.setattr(app, "_close_all", close_then_answer)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert asked.wait(10)
    assert release.is_set()


async def test_leaving_stats_before_they_are_computed(make_app: Callable[..., NnprepApp],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    computed = Services.stats
    asked, release = threading.Event(), threading.Event()

    def slow(self: Services) -> object:
        asked.set()
        release.wait(10)
        return computed(self)

    monkeypatch.setattr(Services, "stats", slow)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        assert asked.wait(10)
        await pilot.press("escape")  # typed at once: the screen goes before its worker answers
        await pilot.pause()
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "HomeScreen"
