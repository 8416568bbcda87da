"""Mock interviews in the app, driven from the home screen with a fake clock (nothing sleeps).

The clock is injected as ``Services(now=clock)`` (the ``clock`` fixture); the mock's session reads it through
``Services.clock``. Tests call ``MockScreen.tick()`` — the one-second timer's callback — after moving the clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList, Static, TextArea

from quiz.app import NnprepApp
from quiz.mock.presets import get_preset
from quiz.store import Store
from quiz.tui.screens.mock import MockScreen
from quiz.tui.screens.mock_report import MockReportScreen
from quiz.tui.services import Services
from tests.tui.conftest import Clock, needs_sandbox

CONCEPTS = {"t.mcq": "2", "t.numeric": "55", "t.flash": "sum rows"}  # t.mcq: its key's bank number


def concept_answers(screen: MockScreen) -> dict[str, str]:
    """CONCEPTS with the mcq's key as the candidate sees it (the choices are shuffled per entry)."""
    entry = screen.session.state.plan.entries[index_of(screen, "t.mcq")]
    assert entry.choice_order is not None
    return {**CONCEPTS, "t.mcq": str(entry.choice_order.index(int(CONCEPTS["t.mcq"]) - 1) + 1)}


@pytest.fixture(autouse=True)
def _save_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every tick saves what changed (the product waits up to two seconds)."""
    monkeypatch.setattr("quiz.tui.screens.mock.SAVE_EVERY_SECONDS", 0.0)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def start_custom(pilot: Pilot[Any], *, items: int = 5, coding: str = "", minutes: int = 10,
                       seed: int = 11) -> MockScreen:
    """Home → `m` → the custom preset → start."""
    await settle(pilot)
    await pilot.press("m")
    await pilot.pause()
    screen = pilot.app.screen
    assert type(screen).__name__ == "MockSetupScreen"
    await pilot.press("end")  # the last preset: custom
    await pilot.pause()
    screen.query_one("#custom-minutes", Input).value = str(minutes)
    screen.query_one("#custom-items", Input).value = str(items)
    screen.query_one("#custom-coding", Select).value = coding
    screen.query_one("#mock-seed", Input).value = str(seed)
    await pilot.press("ctrl+s")
    await settle(pilot)
    mock = pilot.app.screen
    assert isinstance(mock, MockScreen), type(mock).__name__
    return mock


async def start_direct(pilot: Pilot[Any], *, items: int = 5, coding: str = "", minutes: int = 10,
                       seed: int = 11) -> MockScreen:
    """The same custom mock as :func:`start_custom`, started as the setup screen does (quicker)."""
    from quiz.mock.presets import custom_preset
    from quiz.tui import mock_flow

    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NnprepApp)
    mock_flow.start(app, custom_preset(minutes, items, [c for c in coding.split(",") if c], []), seed)
    await settle(pilot)
    mock = app.screen
    assert isinstance(mock, MockScreen), type(mock).__name__
    return mock


def index_of(screen: MockScreen, ref: str) -> int:
    return next(e.index for e in screen.session.state.plan.entries if e.ref == ref)


async def go_to(pilot: Pilot[Any], screen: MockScreen, index: int, *, keys: bool = False) -> None:
    """Move to entry ``index`` with the keys (ctrl+n / ctrl+b), or as the side list does (quicker)."""
    if not keys:
        screen.go(index)
        await pilot.pause()
        return
    while screen.current != index:
        await pilot.press("ctrl+n" if screen.current < index else "ctrl+b")
        await pilot.pause()


async def answer_concepts(pilot: Pilot[Any], screen: MockScreen) -> None:
    """The mcq right, the number right, a typed flashcard answer; t.multi and t.shape left blank."""
    for ref, answer in concept_answers(screen).items():
        await go_to(pilot, screen, index_of(screen, ref))
        await pilot.press(*answer)
        await pilot.pause()


def expected_overall(screen: MockScreen, shares: dict[str, float]) -> float:
    """The weighted score (weights: suggested seconds) the report must show."""
    entries = screen.session.state.plan.entries
    total = sum(e.suggested_seconds for e in entries)
    return round(100 * sum(shares.get(e.ref, 0.0) * e.suggested_seconds for e in entries) / total, 1)


async def test_mock_from_home_to_report(make_app: Callable[..., NnprepApp], clock: Clock, db: Path,
                                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_custom(pilot)
        assert len(screen.session.state.plan.entries) == 5
        assert "10:00 left" in screen.sub_title
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+b")  # the keys move between questions
        assert screen.current == 1
        await answer_concepts(pilot, screen)
        state = screen.session.state
        given = {state.plan.entries[i].ref: e.answer for i, e in enumerate(state.entries) if e.answer}
        assert given == concept_answers(screen)
        # No feedback while the mock runs: nothing says right or wrong.
        shown = " ".join(str(w.render()) for w in screen.query(Static))
        assert "✓" not in shown and "Right" not in shown
        clock.advance(minutes=2)
        screen.tick()
        assert "8:00 left" in screen.sub_title
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        # Self-assessment of the typed flashcard answer: tick the first key point of two.
        assess = app.screen
        assert type(assess).__name__ == "MockAssessScreen"
        assert CONCEPTS["t.flash"] in str(assess.query_one("#assess-yours", Static).render())
        await pilot.press("space")
        await pilot.pause()
        assert assess.query_one("#assess-points", SelectionList).selected == [0]
        await pilot.press("ctrl+n")
        await settle(pilot)
        report_screen = app.screen
        assert isinstance(report_screen, MockReportScreen)
        report = report_screen.report
        want = expected_overall(screen, {"t.mcq": 1.0, "t.numeric": 1.0, "t.flash": 0.5})
        assert report.overall == want
        assert f"{want:.0f}" in str(report_screen.query_one("#report-score", Static).render())
        assert {e.ref: e.status for e in report.entries} == {
            "t.mcq": "correct", "t.numeric": "correct", "t.flash": "partial", "t.multi": "unanswered",
            "t.shape": "unanswered"}
        assert report.time_used_seconds == 120.0
        assert len(report.weakest) == 3
        # The report shows each question, the answer given, the right one, and how the score is weighted.
        answers = str(report_screen.query_one("#report-answers", Static).render())
        assert "What is the derivative of ReLU at x = 2?" in answers and "Your answer: 55" in answers
        assert "Correct answer: 32, 5" in answers.replace("(", "").replace(")", "")  # t.shape, unanswered
        assert "suggested time" in str(report_screen.query_one("#report-weighting", Static).render())
        # Export: m writes Markdown to nnprep's data folder (never the working tree) and says where.
        work = tmp_path / "checkout"
        work.mkdir()
        monkeypatch.chdir(work)
        await pilot.press("m")
        await pilot.pause()
        written = tmp_path / "xdg" / "nnprep" / "reports" / f"nnprep-mock-{report.id}.md"
        assert written.read_text().startswith("# Mock interview")
        assert str(written) in str(report_screen.query_one("#export-status", Static).render())
        # e: a chosen path, the format from its extension; a bad extension keeps the dialog and the typed path.
        await pilot.press("e")
        await pilot.pause()
        box = app.screen.query_one("#export-path", Input)
        box.value = ""
        await pilot.press(*str(tmp_path / "out" / "mine.txt"), "enter")
        await pilot.pause()
        assert app.screen.query_one("#export-path", Input).value == str(tmp_path / "out" / "mine.txt")
        assert ".html" in str(app.screen.query_one("#export-error", Static).render())
        await pilot.press("backspace", "backspace", "backspace", *"html", "enter")
        await pilot.pause()
        assert (tmp_path / "out" / "mine.html").read_text().startswith("<!DOCTYPE html>")
        await pilot.press("j")
        await pilot.pause()
        assert (written.parent / f"nnprep-mock-{report.id}.json").exists()
        assert not list(work.iterdir())
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert app.screen.query_one("#mock-resume").display is False
    with Store(db) as store:
        (stored,) = store.mock_sessions()
        assert stored.finished and stored.score == pytest.approx(want / 100)
        # Every answered question counts as an attempt (kind mock) and reschedules its item; blanks do not.
        attempts = {a.target_id: a for a in store.attempts(kind="mock")}
        assert set(attempts) == {"t.mcq", "t.numeric", "t.flash"}
        assert attempts["t.mcq"].correct and attempts["t.numeric"].correct
        assert "[shown order" in attempts["t.mcq"].answer
        assert attempts["t.flash"].correct is None and attempts["t.flash"].rating == 2  # one key point of two
        assert {s.item_id for s in store.review_states()} == {"t.mcq", "t.numeric", "t.flash"}
        from quiz.progress_stats import compute_stats

        topics = {i.id: i.topic for i in app.services.bank().items}
        stats = compute_stats(store, topics, {}, clock.now)
        assert sum(t.attempts for t in stats.topics) == 3


async def test_time_out_submits_as_it_stands(make_app: Callable[..., NnprepApp], clock: Clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot)
        await go_to(pilot, screen, index_of(screen, "t.numeric"))
        await pilot.press("5", "5")
        clock.advance(minutes=9, seconds=30)
        screen.tick()
        assert screen.query_one("#mock-clock").has_class("-low")
        await pilot.press("0")  # typing goes on until the very end: 550 is wrong
        clock.advance(seconds=31)
        screen.tick()  # the timer's callback: time is up
        await settle(pilot)
        assert isinstance(app.screen, MockReportScreen)  # nothing typed to self-assess
        report = app.screen.report
        assert report.timed_out
        assert {e.ref: e.status for e in report.entries}["t.numeric"] == "incorrect"
        assert report.time_used_seconds == 600.0
        assert "time ran out" in str(app.screen.query_one("#report-meta", Static).render())


async def test_leave_keeps_it_resumable_and_crash_resume(make_app: Callable[..., NnprepApp], clock: Clock,
                                                         db: Path) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot)
        numeric = index_of(screen, "t.numeric")
        await go_to(pilot, screen, numeric)
        await pilot.press("5", "5")
        clock.advance(seconds=3)
        screen.tick()  # the periodic save
        with Store(db) as store:
            (stored,) = store.mock_sessions(finished=False)
            assert stored.state["entries"][numeric]["answer"] == "55"
        mock_id = screen.session.state.id
        # escape asks: stay keeps the mock going.
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LeaveMockScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    # The app is gone without submitting (a crash, a closed terminal); a new one offers to resume.
    clock.advance(minutes=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        assert home.query_one("#mock-resume").display is True
        text = str(home.query_one("#mock-resume-text", Static).render())
        assert "Custom mock" in text and "8:57 left" in text
        await pilot.press("u")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MockScreen)
        assert screen.session.state.id == mock_id
        assert screen.current == numeric
        assert screen.query_one(f"#entry-{numeric} Input", Input).value == "55"
        assert "8:57 left" in screen.sub_title
        # Leave (keep it resumable), then end it now from home: submitted as it stands.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("l")
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"
        assert app.screen.query_one("#mock-resume").display is True
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MockReportScreen)
        report = app.screen.report
        assert {e.ref: e.status for e in report.entries}["t.numeric"] == "correct"
        assert not report.timed_out


async def test_resume_after_the_deadline_goes_straight_to_submission(make_app: Callable[..., NnprepApp],
                                                                      clock: Clock) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot)
        await go_to(pilot, screen, index_of(screen, "t.flash"))
        await pilot.press(*"sums")
        screen.tick()
    clock.advance(hours=1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "time is up" in str(app.screen.query_one("#mock-resume-text", Static).render())
        await pilot.press("u")
        await settle(pilot)
        assert type(app.screen).__name__ == "MockAssessScreen"
        await pilot.press("a", "ctrl+n")  # tick all: both key points
        await settle(pilot)
        assert isinstance(app.screen, MockReportScreen)
        report = app.screen.report
        assert report.timed_out
        assert {e.ref: e.status for e in report.entries}["t.flash"] == "correct"


async def test_mcq_keys_and_multiple_answers(make_app: Callable[..., NnprepApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await start_direct(pilot)
        multi = index_of(screen, "t.multi")
        await go_to(pilot, screen, multi)
        await pilot.press("1", "3", "2", "3")  # toggles: 1, 3, 2, then 3 off
        assert screen.session.state.entries[multi].answer == "1,2"
        mcq = index_of(screen, "t.mcq")
        await go_to(pilot, screen, mcq)
        await pilot.press("3", "up", "enter")  # single answer: the last pick wins, no feedback
        assert screen.session.state.entries[mcq].answer == "2"
        # The list on the side: ctrl+l focuses it, enter jumps.
        await pilot.press("ctrl+l", "home", "enter")
        await pilot.pause()
        assert screen.current == 0
        label = str(screen.query_one("#mock-entries").get_option_at_index(mcq).prompt)  # type: ignore[attr-defined]
        assert "●" in label


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



@needs_sandbox
async def test_coding_entry_examples_then_graded_at_submission(make_app: Callable[..., NnprepApp]) -> None:
    correct = (Path(__file__).resolve().parents[1] / "submissions" / "linear" / "correct_reference.py").read_text()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await start_direct(pilot, items=0, coding="easy", minutes=15)
        editor = screen.query_one("#entry-0 TextArea", TextArea)
        assert "raise NotImplementedError" in editor.text  # the starter
        assert screen.session.state.entries[0].answer == ""
        editor.replace(correct, editor.document.start, editor.document.end)
        await pilot.pause()
        assert screen.session.state.entries[0].answer == correct
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Examples:" in str(screen.query_one("#entry-0 .mock-run-label", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, MockReportScreen)
        (entry,) = app.screen.report.entries
        assert entry.status == "passed" and entry.score == 1.0
        assert app.screen.report.overall == 100.0
