"""The end of a practice session: score by topic, time per item, what to review next."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Footer, Header, Label, Static

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.screens.practice_setup import start_session, topic_label
from quiz.tui.session import PracticeConfig, Session
from quiz.tui.widgets.unsaved import UnsavedProgress


def plain(markdown: str) -> str:
    """A prompt as plain text on one line: Markdown's code ticks, emphasis and line breaks removed."""
    return " ".join(re.sub(r"`+|\*\*|__", "", markdown).split())


def _short(text: str, n: int = 44) -> str:
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


class SummaryScreen(BaseScreen[None]):
    """How the session went."""

    CSS_PATH = STYLES / "practice.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "done", "Done"),
        Binding("r", "again", "Practise the weak ones"),
        Binding("h", "app.go('home')", "Home"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        good, total = self.session.score
        seconds = sum(r.seconds for r in self.session.results)
        yield Header()
        yield UnsavedProgress(compact=True)
        with VerticalScroll(id="summary-body"):
            again = f" · {self.session.relearned} relearned" if self.session.relearned else ""
            yield Static(f"Session done: {good}/{total} right · {seconds:.0f} s in all{again}", id="summary-score")
            with Horizontal(id="summary-tables"):
                yield DataTable(id="by-topic", cursor_type="row", zebra_stripes=True)
                yield DataTable(id="by-item", cursor_type="row", zebra_stripes=True)
            weak = self.session.review_next()
            shown = {r.item.id: r.prompt for r in self.session.results}
            if weak:
                yield Label("[b]Review next[/b]")
                lines = [f"• {topic_label(i.topic)}: {_short(plain(shown.get(i.id) or i.prompt), 60)}" for i in weak]
                yield Static(Text("\n".join(lines)), id="review-next")
            else:
                yield Static("Nothing to review: every item was right.", id="review-next")
            with Horizontal(id="summary-buttons"):
                if weak:
                    yield Button("Practise these again (r)", id="again", variant="primary")
                yield Button("Done (escape)", id="done")
        yield Footer()

    def on_mount(self) -> None:
        topics = self.query_one("#by-topic", DataTable)
        topics.add_columns("Topic", "Score")
        for topic, (good, n) in self.session.by_topic().items():
            topics.add_row(_short(topic_label(topic), 26), f"{good}/{n}")
        items = self.query_one("#by-item", DataTable)
        items.add_columns("Item", "Result", "Time")
        for r in self.session.results:
            if r.correct is None:
                result = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}.get(r.rating or 0, "?")
            else:
                result = "✓" if r.correct else "✗"
            items.add_row(Text(_short(plain(r.prompt or r.item.prompt), 20)), result, f"{r.seconds:.0f} s")
        self.query_one("#summary-buttons Button", Button).focus()

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        self.dismiss()

    @on(Button.Pressed, "#again")
    def action_again(self) -> None:
        weak = self.session.review_next()
        if not weak:
            return
        config = PracticeConfig(only_ids=tuple(i.id for i in weak), count=len(weak), mode="practice")
        bank = self.nn.services.bank()
        self.dismiss()
        start_session(self.nn, bank, config)
