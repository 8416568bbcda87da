"""A progress database that cannot be used: a database someone chose (--db, NNPREP_DB) stops `nnprep` before the
app opens, with the commands' own one-line message; the default location failing opens the app with progress kept
in memory and a warning that stays on every screen that shows progress."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from quiz.app import NnprepApp
from quiz.cli import main
from quiz.tui.progress import MemoryProgress
from quiz.tui.services import BankView, Services
from quiz.tui.widgets.unsaved import UnsavedProgress
from tests.tui.bank import fixed_items, linear_text
from tests.tui.conftest import Clock
from tests.tui.test_practice import answer_current, start

# The default location's parent is a file: the folder cannot be created, as root too (a read-only home would not
# stop root). Fixed, so the snapshot does not depend on the test's temp folder.
UNWRITABLE_DATA_HOME = "/dev/null/nnprep-test-data"


@pytest.fixture
def default_location_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NNPREP_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", UNWRITABLE_DATA_HOME)


@pytest.fixture
def app_on_default_location(default_location_unusable: None, clock: Clock) -> NnprepApp:
    return NnprepApp(Services(db=None, now=clock, seed=7, bank=BankView(fixed_items(), []),
                              task_texts={"linear": linear_text()}))


def _warning(app: NnprepApp) -> UnsavedProgress:
    return app.screen.query_one(UnsavedProgress)


def _shown_text(widget: Static) -> str:
    return str(widget.render()) if widget.display else ""


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_default_location_unusable_warns_on_every_screen_and_keeps_the_session(
    app_on_default_location: NnprepApp,
) -> None:
    app = app_on_default_location
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        home = _shown_text(_warning(app))
        assert "Progress is NOT being saved" in home
        assert "lost when you quit" in home
        assert "cannot create folder /dev/null/nnprep-test-data/nnprep" in home  # why
        toasts = [(n.title, n.message) for n in app._notifications]
        assert any("NOT being saved" in title and "lost when you quit" in message for title, message in toasts)
        assert "Reviews due: 0" in str(app.screen.query_one("#due", Static).render())
        # Practising: the warning stays on the item screen and on the summary; the answers are kept for the run.
        await start(pilot)
        for _ in range(5):
            assert type(app.screen).__name__ == "ItemScreen"
            assert "NOT being saved" in _shown_text(_warning(app))
            await answer_current(pilot)
        assert type(app.screen).__name__ == "SummaryScreen"
        assert "NOT being saved" in _shown_text(_warning(app))
        progress = app.services.progress
        assert isinstance(progress, MemoryProgress)
        assert len(progress.attempts) == 5
        app.go_home()
        await _settle(pilot)
        for key in ("s", "c"):  # stats and the task list show progress too
            await pilot.press(key)
            await _settle(pilot)
            assert "NOT being saved" in _shown_text(_warning(app)), key
            if key == "s":  # says why there are no statistics, not a Python error
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                shown = str(app.screen.query_one("#streak-text", Static).render())
                assert "statistics are kept in the progress database" in shown and "Error" not in shown, shown
            await pilot.press("escape")
            await _settle(pilot)
        assert "NOT being saved" in _shown_text(_warning(app))  # home, still


async def test_a_usable_database_shows_no_warning(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert app.services.progress_problem is None
        assert not _warning(app).display
        assert not any("NOT being saved" in n.title for n in app._notifications)
        await pilot.press("s")
        await _settle(pilot)
        assert not _warning(app).display


def test_warning_snapshot_80x24(snap_compare: Any, app_on_default_location: NnprepApp) -> None:
    assert snap_compare(app_on_default_location, terminal_size=(80, 24), run_before=_settle)


# ---- an unusable database someone chose: exit 2 before the app opens ---------------------------------------------


def _missing_folder(tmp_path: Path) -> Path:
    return tmp_path / "no" / "such" / "dir" / "progress.db"


def _corrupt_file(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a SQLite database\n" * 40)
    return path


def _a_directory(tmp_path: Path) -> Path:
    return tmp_path


def _unreadable_file(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path = _corrupt_file(tmp_path)
    path.chmod(0)
    return path


BAD_DATABASES = [_missing_folder, _corrupt_file, _a_directory, _unreadable_file]


@pytest.fixture
def app_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(self: NnprepApp, *args: Any, **kwargs: Any) -> int:
        raise AssertionError("the app opened")

    monkeypatch.setattr(NnprepApp, "run", run)


@pytest.mark.parametrize("bad", BAD_DATABASES, ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("via", ["--db", "NNPREP_DB"])
def test_a_chosen_database_that_cannot_be_used_exits_2_like_the_commands(
    bad: Callable[[Path], Path], via: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], app_must_not_open: None,
) -> None:
    path = bad(tmp_path)
    before = path.read_bytes() if path.is_file() and os.access(path, os.R_OK) else None
    if via == "--db":
        monkeypatch.delenv("NNPREP_DB", raising=False)
        app_args, stats_args = ["--db", str(path)], ["--db", str(path), "stats"]
    else:
        monkeypatch.setenv("NNPREP_DB", str(path))
        app_args, stats_args = [], ["stats"]
    assert main(app_args) == 2
    app_out = capsys.readouterr()
    assert main(stats_args) == 2
    stats_out = capsys.readouterr()
    assert app_out.out == ""
    assert app_out.err == stats_out.err  # the very line `nnprep stats` gives
    assert app_out.err.startswith("nnprep: ") and app_out.err.count("\n") == 1
    assert str(path) in app_out.err
    if before is not None:
        assert path.read_bytes() == before  # left untouched


def test_the_default_location_unusable_still_opens_the_app(
    default_location_unusable: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    opened: list[str | None] = []

    def run(self: NnprepApp, *args: Any, **kwargs: Any) -> int:
        self.services.progress  # noqa: B018 -- what the app's start does
        opened.append(self.services.progress_problem)
        return 0

    monkeypatch.setattr(NnprepApp, "run", run)
    assert main([]) == 0
    assert len(opened) == 1 and opened[0] is not None and "cannot create folder" in opened[0]
    assert capsys.readouterr().err == ""
