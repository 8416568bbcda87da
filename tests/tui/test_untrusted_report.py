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
