"""One practice item per screen; records the answer through the store, then the next item or the summary."""

from __future__ import annotations

import time
from datetime import datetime
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Markdown, Static

from quiz.tui.base import STYLES, BaseScreen
from quiz.tui.screens.practice_setup import topic_label
from quiz.tui.services import Drawn
from quiz.tui.session import ItemResult, Session
from quiz.tui.widgets.items import Answered, FlashcardBody, ItemBody, body_for, type_into
from quiz.tui.widgets.unsaved import UnsavedProgress

TYPE_NAMES = {"flashcard": "flashcard", "mcq": "multiple choice", "numeric": "number", "shape": "shape",
              "parameterised": "calculation"}


class ItemScreen(BaseScreen[None]):
    """Shows ``session.current`` and waits for the answer."""

    CSS_PATH = STYLES / "practice.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "End session"),
        Binding("space", "reveal(True)", "Reveal", show=False),
        Binding("ctrl+r", "reveal", "Reveal", show=True, priority=True),
        Binding("n", "next", "Next", show=True),
        *(Binding(str(d), f"digit({d})", str(d), show=False) for d in range(1, 10)),
    ]
    # The answer widget has focus from the first frame (on_mount focuses it too, after its own set-up).
    AUTO_FOCUS = "#answer-box, #value, #choices"

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.item = session.current
        self.started: datetime | None = None  # on mount, from the app's clock (tests move it by hand)
        self.result: ItemResult | None = None
        self.drawn: Drawn | None = None

    def compose(self) -> ComposeResult:
        services = self.nn.services
        # One seed per presentation: the app's seed (tests, --seed) makes it reproducible, else the clock.
        seed = services.seed * 1000 + self.session.index if services.seed is not None else time.time_ns() % 2**31
        try:
            self.drawn = services.draw(self.item, seed)
        except Exception as e:
            self.notify(f"Could not draw this item's numbers: {e}", severity="error")
            self.drawn = Drawn(self.item.prompt)
        n, total = self.session.index + 1, len(self.session.items)
        kind = TYPE_NAMES.get(self.item.type, self.item.type)
        yield Header()
        yield UnsavedProgress(compact=True)
        yield Static(
            f"Item {n}/{total} · {topic_label(self.item.topic)} · {self.item.difficulty} · {kind}", id="item-meta"
        )
        with VerticalScroll(id="item-body"):
            yield Markdown(self.drawn.prompt, id="prompt")
            yield body_for(self.item, self.drawn, services.check, seed=seed, intervals=self._intervals())
            with Horizontal(id="next-row"):
                yield Button("Next (n)", id="next", variant="primary")
        yield Footer()

    def _intervals(self) -> dict[int, str] | None:
        """What each rating would schedule for a flashcard (None when it cannot be known)."""
        if self.item.type != "flashcard":
            return None
        try:
            return self.nn.services.progress.next_intervals(self.item)
        except Exception:
            return None

    def on_mount(self) -> None:
        self.started = self.nn.services.now()
        self.query_one("#next-row").display = False
        self.query_one(ItemBody).start_focus()

    @property
    def body(self) -> ItemBody:
        return self.query_one(ItemBody)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return isinstance(self.body, FlashcardBody) and not self.body.revealed
        if action == "next":
            return True if self.result is not None else None  # shown only once answered; typed before: text
        return True

    # -- the keyboard contract: in a text box every printable key is text ------------------------------------------
    def relay(self, character: str | None) -> bool:
        """Type ``character`` into the answer box if it reached the screen instead (a key pressed while the screen
        was being shown, before anything had focus). True if it was typed."""
        box = self.body.text_box() if self.is_mounted and self.query(ItemBody) else None
        if box is None or character is None or not character.isprintable() or self.focused is not None:
            return False
        type_into(box, character)
        return True

    def on_key(self, event: events.Key) -> None:
        if event.is_printable and self.app.screen is self and self.relay(event.character):
            event.stop()
            event.prevent_default()

    def action_reveal(self, space: bool = False) -> None:
        body = self.body
        if isinstance(body, FlashcardBody):
            if space and self.relay(" "):
                return
            body.reveal()
            self.refresh_bindings()

    def action_digit(self, n: int) -> None:
        if not self.body.digit(n):
            self.relay(str(n))

    @on(Answered)
    def _answered(self, event: Answered) -> None:
        now = self.nn.services.now()
        seconds = max(0.0, (now - (self.started or now)).total_seconds())
        prompt = self.drawn.prompt if self.drawn is not None else self.item.prompt
        self.result = ItemResult(self.item, event.correct, event.rating, seconds, event.answer, prompt)
        self.session.record(self.result)
        try:
            self.nn.services.progress.record_attempt(
                self.item, correct=event.correct, rating=event.rating, seconds=seconds, answer=event.answer
            )
        except Exception as e:
            self.notify(f"Could not save this answer: {e}", severity="error")
        if event.correct is None:  # a rated flashcard: straight on
            self.action_next()
            return
        self.query_one("#next-row").display = True
        self.query_one("#next", Button).focus()
        self.query_one("#item-body", VerticalScroll).scroll_end(animate=False)
        self.refresh_bindings()

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.result is None:
            self.relay("n")
            return
        if self.session.done:
            from quiz.tui.screens.practice_summary import SummaryScreen

            end = getattr(self.nn.services.progress, "end_session", None)
            if end is not None:
                end()
            self.app.switch_screen(SummaryScreen(self.session))
        else:
            self.app.switch_screen(ItemScreen(self.session))

    def action_leave(self) -> None:
        from quiz.tui.screens.confirm import ConfirmScreen

        def leave(yes: bool | None) -> None:
            if yes:
                end = getattr(self.nn.services.progress, "end_session", None)
                if end is not None:
                    end()
                self.dismiss()

        if not self.session.results:
            self.dismiss()
            return
        self.app.push_screen(
            ConfirmScreen("End this session? Your answers so far are saved.", yes="End", no="Stay"), leave
        )

