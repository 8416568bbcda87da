"""The results panel shows a hostile report's text literally: Textual markup in a candidate's output or exception
text is never a live link or action, and no control character reaches the screen."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Static

from engine.report import CaseResult, GradeReport, OutputCheck, Verdict
from quiz.tui.safe_text import plain
from quiz.tui.widgets.results import ResultsView

CLICK = "[@click=app.pwned]claim full marks[/] [ @click=app.pwned]claim full marks[/]"
LINK = "[ link='https://evil.example']your grade[/link]"
ESCAPES = "\x1b[2J\x1b]52;c;cm0gLXJm\x07\x9b1A"


def hostile_report() -> GradeReport:
    message = f"linear_forward: ValueError: {CLICK}\n  ✓ forward_tall hidden passed {LINK}{ESCAPES}"
    case = CaseResult(
        name="forward_example", visible=True, verdict=Verdict.RUNTIME_ERROR, score=0.0, max_score=10.0,
        message=message, diagnoses=[f"see {LINK}"],
        outputs=[OutputCheck(name="y", ok=False, message=f"y: {CLICK}")],
    )
    return GradeReport(
        task="linear", verdict=Verdict.RUNTIME_ERROR, score=0.0, max_score=100.0, message=f"1 failed {CLICK}",
        cases=[case], diagnoses=[CLICK], stdout=f"{CLICK}\n{LINK}\n{ESCAPES}[bold red]PASSED[/]\n",
    )


class ResultsApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self) -> None:
        super().__init__()
        self.pwned = 0

    def compose(self) -> ComposeResult:
        yield ResultsView(id="results")

    def action_pwned(self) -> None:
        self.pwned += 1


def _contents(app: App[Any]) -> list[Content]:
    rendered = [w.render() for w in app.query(Static)]
    assert all(isinstance(c, Content) for c in rendered)
    return [c for c in rendered if isinstance(c, Content)]


async def test_hostile_markup_in_a_report_is_literal_text() -> None:
    app = ResultsApp()
    async with app.run_test(size=(120, 50)) as pilot:
        app.query_one(ResultsView).show_report(hostile_report(), visible_only=False)
        await pilot.pause()
        contents = _contents(app)
        text = "\n".join(c.plain for c in contents)
        assert CLICK in text and LINK in text and "[bold red]PASSED[/]" in text
        assert "\\x1b[2J" in text and "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        styles = [str(span.style) for c in contents for span in c.spans]
        assert not [s for s in styles if "link" in s or "@click" in s or "pwned" in s]
        # Click every line that shows the would-be action, as a person would: nothing runs.
        for widget in app.query(Static):
            if "claim full marks" in str(widget.render()):
                await pilot.click(widget, offset=(2, 0))
                await pilot.click(widget, offset=(40, 0))
        await pilot.pause()
        assert app.pwned == 0


def test_plain_content_is_never_parsed_as_markup() -> None:
    content = plain(f"{CLICK} {LINK}\tx{ESCAPES}", "bold")
    assert content.plain.startswith(f"{CLICK} {LINK}")
    assert "\x1b" not in content.plain and "\t" not in content.plain
    assert [str(s.style) for s in content.spans] == ["bold"]


def test_mock_report_answers_show_the_code_and_its_errors_literally() -> None:
    from datetime import UTC, datetime

    from quiz.mock.scoring import EntryScore, MockReport
    from quiz.tui.screens.mock_report import answers_text

    entry = EntryScore(index=0, kind="task", ref="linear", topic="backpropagation", item_type="coding", score=0.0,
                       weight=60.0, seconds=1.0, suggested_seconds=60, status="runtime_error",
                       detail=f"ValueError: {CLICK}{ESCAPES}", your_answer=f"# {LINK}\ndef f(): pass")
    report = MockReport(id="m1", preset="p", title="t", started_at=datetime(2025, 1, 1, tzinfo=UTC), seed=1,
                        timed_out=False, overall=0.0, sections={}, topics={}, entries=[entry], strengths=[],
                        weakest=[], time_used_seconds=1.0, time_allowed_seconds=60)
    content = answers_text(report)
    assert CLICK in content.plain and LINK in content.plain and "\x1b" not in content.plain
    styles = [str(span.style) for span in content.spans]
    assert not [s for s in styles if "link" in s or "@click" in s or "pwned" in s]


MARKUP_RAISING = (
    "def linear_forward(x, W, b):\n"
    "    raise ValueError('[ @click=app.quit]claim full marks[/] [ link=\"https://evil.example\"]grade[/link]')\n\n"
    "def linear_backward(dy, x, W, b):\n"
    "    return dy @ W, dy.T @ x, dy.sum(axis=0)\n"
)


async def test_task_screen_shows_markup_from_an_exception_literally(make_app: Any) -> None:
    from tests.support.inprocess import InProcessRunner
    from tests.tui.test_tasks import open_linear, results_text, settle

    app = make_app(runner=InProcessRunner())  # our own test submission: harmless to run in this process
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_linear(pilot)
        screen.query_one("#editor").load_text(MARKUP_RAISING)
        await pilot.press("ctrl+r")
        await settle(pilot, screen)
        text = results_text(screen)
        assert "[ @click=app.quit]claim full marks[/]" in text and "grade[/link]" in text
        for widget in screen.query("#results-scroll Static").results(Static):
            if "claim full marks" in str(widget.render()):
                await pilot.click(widget, offset=(30, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None
