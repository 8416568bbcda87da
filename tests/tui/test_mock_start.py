"""Ways into a mock interview: the home key and the command palette, `nnprep mock --preset` opening one at once,
and the setup screen refusing a bad custom preset."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.widgets import Input

from quiz.app import NnprepApp
from quiz.mock.presets import get_preset
from quiz.tui.screens.mock import MockScreen
from quiz.tui.services import Services
from tests.tui.conftest import Clock
from tests.tui.mock_driving import settle

pytestmark = pytest.mark.usefixtures("save_mock_at_once")


async def test_command_palette_and_home_key_open_setup(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#mock-resume").display is False
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Mock interview" in commands
        app.action_go("mock")
        await pilot.pause()
        assert type(app.screen).__name__ == "MockSetupScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"


async def test_cli_start_mock_opens_it_directly(db: Path, clock: Clock) -> None:
    """`nnprep mock --preset lightning --seed 3`: the app opens that mock at once (the real bank)."""
    app = NnprepApp(Services(db=db, now=clock), start_mock=(get_preset("lightning"), 3))
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.monotonic()
        while not isinstance(app.screen, MockScreen):
            assert time.monotonic() - started < 10, "the mock did not open"
            await settle(pilot)
        plan = app.screen.session.state.plan
        assert plan.seed == 3 and plan.preset.name == "lightning" and len(plan.entries) == 10
        assert "10:00 left" in app.screen.sub_title


def test_run_app_passes_start_mock(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    seen: dict[str, Any] = {}

    def fake_run(self: NnprepApp) -> int:
        seen["start_mock"] = self.start_mock
        return 0

    monkeypatch.setattr(NnprepApp, "run", fake_run)
    from quiz.app import run_app

    preset = get_preset("lightning")
    assert run_app(SimpleNamespace(db=str(db), deck=None, start_mock=(preset, 3))) == 0
    assert seen["start_mock"] == (preset, 3)


async def test_setup_rejects_a_bad_custom_preset(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press("end")
        app.screen.query_one("#custom-minutes", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "MockSetupScreen"
