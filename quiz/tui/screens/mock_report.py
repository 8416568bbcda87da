"""The report of a finished mock: the score out of 100, by section and topic, time per question, coding verdicts
and diagnoses, strengths, the three weakest topics with advice; exported as Markdown, JSON or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Footer, Header, Input, Label, Static

from quiz.mock.export import FORMATS, first_line, render
from quiz.mock.judging import WEIGHTING
from quiz.mock.scoring import MockReport
from quiz.tui.base import STYLES, BaseModal, BaseScreen
from quiz.tui.safe_text import plain
from quiz.tui.screens.practice_setup import topic_label
from quiz.tui.widgets.mock import SHORT_NAMES, mmss

BAR_WIDTH = 20


def bar(score: float, width: int = BAR_WIDTH) -> Text:
    """A score 0..100 as a bar, green when 60 or more."""
    filled = round(max(0.0, min(score, 100.0)) / 100 * width)
    return Text.assemble(("█" * filled, "green" if score >= 60 else "red"), ("░" * (width - filled), "dim"))


def score_table(rows: dict[str, float], label: str) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column(label, no_wrap=True, max_width=36, overflow="ellipsis")
    table.add_column("score", justify="right")
    table.add_column("", no_wrap=True)
    for name, score in rows.items():
        table.add_row(name, f"{score:.0f}", bar(score))
    return table


def entries_table(report: MockReport, width: int = 80) -> Table:
    """The questions with type, result and time; the question column takes what is left of ``width``."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("#", justify="right")
    # The question column gives way: type, result and time keep their width at 80 columns.
    table.add_column("question", overflow="ellipsis", max_width=max(16, width - 54), no_wrap=True)
    table.add_column("type", no_wrap=True, min_width=11)
    table.add_column("result", no_wrap=True, min_width=16)
    table.add_column("time", justify="right", no_wrap=True, min_width=11)
    for e in report.entries:
        good = e.score >= 1
        result = Text(f"{e.status.replace('_', ' ')} {e.score * 100:.0f}%",
                      style="green" if good else "yellow" if e.score > 0 else "red")
        over = e.seconds > e.suggested_seconds
        time = Text(f"{mmss(e.seconds)} / {mmss(e.suggested_seconds)}", style="yellow" if over else "")
        table.add_row(str(e.index + 1), first_line(e), SHORT_NAMES.get(e.item_type, e.item_type), result, time)
    return table


def export_dir() -> Path:
    """Where reports are exported unless a path is chosen: ``reports`` in nnprep's user data folder
    (``platformdirs.user_data_dir("nnprep")``; on Linux ``~/.local/share/nnprep/reports``), never the working tree."""
    import platformdirs

    return Path(platformdirs.user_data_dir("nnprep", appauthor=False)) / "reports"


def default_path(report: MockReport, fmt: str) -> Path:
    """Where a report is exported when no path is given."""
    return export_dir() / f"nnprep-mock-{report.id}.{fmt}"


def export_format(path: Path) -> str | None:
    """The format a path's extension chooses (``md``, ``json`` or ``html``), or None."""
    fmt = path.suffix.lstrip(".").lower()
    fmt = "md" if fmt == "markdown" else fmt
    return fmt if fmt in FORMATS else None


def answers_text(report: MockReport) -> Content:
    """Each question with the candidate's answer, the right one and the explanation. The answer and the detail
    (a coding entry's quotes the candidate's code) are plain content, never parsed as markup."""
    blocks = []
    for e in report.entries:
        good = "green" if e.score >= 1 else "yellow" if e.score > 0 else "red"
        lines = [plain(f"{e.index + 1}. {first_line(e, 70)}", "bold")]
        if e.question and e.question.strip() != first_line(e, 70):
            lines.append(plain(e.question.strip(), "dim"))
        answer = plain(e.your_answer) if e.your_answer else plain("(none)", "dim")
        lines.append(Content.assemble("Your answer: ", answer))
        if e.correct_answer:
            lines.append(plain(f"Correct answer: {e.correct_answer}"))
        detail = plain(f" — {e.detail}") if e.detail else Content("")
        lines.append(Content.assemble(plain(f"{e.status.replace('_', ' ')} {e.score * 100:.0f}%", good), detail))
        if e.explanation:
            lines.append(plain(e.explanation.strip(), "italic"))
        blocks.append(Content("\n").join(lines))
    return Content("\n\n").join(blocks)


class ExportPathScreen(BaseModal[Path | None]):
    """Asks where to write the report; the extension (.md, .json or .html) chooses the format."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggested: Path) -> None:
        super().__init__()
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export the report to (.md, .json or .html):")
            yield Input(str(self.suggested), id="export-path")
            yield Static("", id="export-error", classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel (esc)", id="cancel")
                yield Button("Export (enter)", id="export", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        """Close with the path, or keep the dialog (and what was typed) open with the reason."""
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            return
        path = Path(raw).expanduser()
        if export_format(path) is None:
            self.query_one("#export-error", Static).update("End the file name with .md, .json or .html.")
            self.query_one("#export-path", Input).focus()
            return
        self.dismiss(path)


class MockReportScreen(BaseScreen[None]):
    """A finished mock's report."""

    CSS_PATH = STYLES / "mock.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "export('md')", "Export md"),
        Binding("j", "export('json')", "JSON"),
        Binding("h", "export('html')", "HTML"),
        Binding("e", "export_to", "Export to…"),
        Binding("escape,q", "app.go('home')", "Home"),
    ]

    def __init__(self, report: MockReport) -> None:
        super().__init__()
        self.report = report
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        r = self.report
        ran_out = " · [yellow]time ran out[/]" if r.timed_out else ""
        yield Header()
        with VerticalScroll(id="report-body"):
            yield Static(f"Overall: {r.overall:.0f} / 100", id="report-score",
                         classes="-good" if r.overall >= 60 else "-weak")
            yield Static(WEIGHTING, id="report-weighting", classes="muted")
            yield Static(f"{escape(r.title)} · seed {r.seed} · time used {mmss(r.time_used_seconds)} of "
                         f"{mmss(r.time_allowed_seconds)}{ran_out}", id="report-meta", classes="muted")
            with Vertical(id="report-scores"):
                yield Static(score_table({k.capitalize(): v for k, v in r.sections.items()}, "section"),
                             id="report-sections", classes="report-block")
                yield Static(score_table({topic_label(k): v for k, v in r.topics.items()}, "topic"),
                             id="report-topics", classes="report-block")
            yield Static("[b]Questions[/b] [dim](time spent / suggested)[/]", classes="report-heading")
            yield Static(entries_table(r, self.app.size.width), id="report-entries")
            yield Static("[b]Answers[/b]", classes="report-heading")
            yield Static(answers_text(r), id="report-answers")
            coding = [e for e in r.entries if e.kind == "task"]
            if coding:
                yield Static("[b]Coding[/b]", classes="report-heading")
                lines: list[Content] = []  # details and diagnoses quote the candidate's code: plain content
                for e in coding:
                    detail = f" — {e.detail}" if e.detail else ""
                    lines.append(Content.assemble(plain(f"{e.ref}: "), (e.status.replace("_", " "), "bold"),
                                                  plain(f", {e.score * 100:.0f}/100{detail}")))
                    lines.extend(plain(f"  → {d}") for d in e.diagnoses)
                yield Static(Content("\n").join(lines), id="report-coding")
            yield Static("[b]Strengths[/b]", classes="report-heading")
            strengths = "\n".join(f"✓ {escape(s)}" for s in r.strengths) or "none yet: no topic reached 80"
            yield Static(strengths, id="report-strengths")
            yield Static("[b]Weakest topics[/b]", classes="report-heading")
            weakest = "\n".join(f"{n}. [b]{escape(w.title)}[/b] ({w.score:.0f}): {escape(w.advice)}"
                                for n, w in enumerate(r.weakest, 1)) or "none: every topic was perfect"
            yield Static(weakest, id="report-weakest")
            yield Static(f"Export: m Markdown · j JSON · h HTML (to {escape(str(export_dir()))}) · e choose a path",
                         id="export-status", classes="muted")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.report.title} · report"
        self.query_one("#report-body").focus()

    def action_export(self, fmt: str, path: Path | None = None) -> None:
        """Write the report as ``fmt`` to ``path`` (default: the current directory) and say where."""
        target = path or default_path(self.report, fmt)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render(self.report, fmt), encoding="utf-8")
        except OSError as e:
            self.notify(f"Could not write {target}: {e.strerror or e}", severity="error")
            return
        self.written = target.resolve()
        self.query_one("#export-status", Static).update(f"Wrote [b]{escape(str(self.written))}[/b]")
        self.notify(f"Wrote {self.written}", title="Report exported")

    def action_export_to(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is None:
                return
            fmt = export_format(path)
            if fmt is not None:
                self.action_export(fmt, path)

        self.app.push_screen(ExportPathScreen(default_path(self.report, "md")), chosen)
