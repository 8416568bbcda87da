"""Fixtures for the TUI tests: a temp database, a fixed clock, a small fixed bank, the linear task's text."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quiz.app import NnprepApp
from quiz.tui.services import BankView, Services
from tests.tui.bank import fixed_items, linear_text

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (Pilot) on a fresh event loop; no async plugin is needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**args))
    return True


def sandbox_available() -> bool:
    try:
        from engine.sandbox import default_sandbox  # noqa: F401
    except ImportError:
        return False
    return True


needs_sandbox = pytest.mark.skipif(
    not sandbox_available(), reason="engine.sandbox.default_sandbox is not built yet (the app grades only there)"
)


@pytest.fixture(autouse=True)
def _private_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing a test does may touch the user's real progress database or decks."""
    monkeypatch.setenv("NNPREP_DB", str(tmp_path / "env-progress.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr("quiz.tui.screens.task.AUTOSAVE_SECONDS", 0.05)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.db"


@pytest.fixture
def make_app(db: Path, clock: Clock) -> Callable[..., NnprepApp]:
    """An app on a temp database with the fixed bank (override any Services argument)."""

    def make(**overrides: Any) -> NnprepApp:
        kwargs: dict[str, Any] = {
            "db": db, "now": clock, "seed": 7,
            "bank": BankView(fixed_items(), []),
            "task_texts": {"linear": linear_text()},
        }
        kwargs.update(overrides)
        return NnprepApp(Services(**kwargs))

    return make


@pytest.fixture
def save_mock_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A running mock saves what changed at every tick (the product waits up to two seconds)."""
    monkeypatch.setattr("quiz.tui.screens.mock.SAVE_EVERY_SECONDS", 0.0)
