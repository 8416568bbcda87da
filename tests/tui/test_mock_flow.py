"""A mock interview in the app from start to report, driven from the home screen with a fake clock (nothing sleeps):
answers, no feedback while it runs, time running out, multiple-answer keys, a coding entry graded at submission.

The clock is injected as ``Services(now=clock)`` (the ``clock`` fixture); the mock's session reads it through
``Services.clock``. Tests call ``MockScreen.tick()`` — the one-second timer's callback — after moving the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, SelectionList, Static, TextArea

from quiz.app import NnprepApp
from quiz.store import Store
from quiz.tui.screens.mock_report import MockReportScreen
from tests.tui.conftest import Clock, needs_sandbox
from tests.tui.mock_driving import (
    CONCEPTS,
    answer_concepts,
    concept_answers,
    expected_overall,
    go_to,
    index_of,
    settle,
    start_custom,
    start_direct,
)

pytestmark = pytest.mark.usefixtures("save_mock_at_once")


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
