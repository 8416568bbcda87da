"""Mock-interview setup: a preset (or your own: minutes, concept items, coding difficulties, topics) and a seed."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from quiz.mock.presets import Preset, PresetError, builtin_presets, custom_preset
from quiz.tui import mock_flow
from quiz.tui.base import STYLES, BaseScreen

CUSTOM = "custom"
# The coding part of a custom mock: one task per difficulty listed ("" for none).
CODING_CHOICES = [("none", ""), ("one easy task", "easy"), ("one medium task", "medium"),
                  ("one hard task", "hard"), ("easy + medium", "easy,medium"), ("medium + hard", "medium,hard"),
                  ("easy + medium + hard", "easy,medium,hard")]


def preset_summary(p: Preset) -> str:
    coding = ", ".join(p.coding) or "none"
    return f"{p.minutes} min · {p.concept_items} concept questions · coding: {coding}"


class MockSetupScreen(BaseScreen[None]):
    """Choose a mock interview and start it."""

    CSS_PATH = STYLES / "mock.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+s", "start", "Start", priority=True),
    ]

    def compose(self) -> ComposeResult:
        from questions.schema import TOPICS

        presets = builtin_presets()
        yield Header()
        with Horizontal(id="mock-setup"):
            with Vertical(id="mock-setup-left"):
                with Vertical(classes="panel", id="mock-presets-panel"):
                    yield Label("Preset  [dim](↑↓ chooses, ctrl+s starts)[/]")
                    options = [Option(f"[b]{escape(p.title)}[/b]\n[dim]{preset_summary(p)}[/]", id=name)
                               for name, p in presets.items()]
                    options.append(Option("[b]Custom[/b]\n[dim]your own length, questions and topics[/]", id=CUSTOM))
                    yield OptionList(*options, id="mock-presets")
                yield Static("", id="preset-about")
            # Tab goes preset → (custom fields, when Custom is chosen) → seed → start: the order they are read in.
            with Vertical(id="mock-custom", classes="panel"):
                yield Label("[b]Custom[/b]")
                with Horizontal(classes="mock-field"):
                    yield Label("Minutes ")
                    yield Input("20", id="custom-minutes", type="integer", max_length=3)
                with Horizontal(classes="mock-field"):
                    yield Label("Questions ")
                    yield Input("6", id="custom-items", type="integer", max_length=2)
                with Horizontal(classes="mock-field"):
                    yield Label("Coding ")
                    yield Select(CODING_CHOICES, value="easy", allow_blank=False, id="custom-coding")
                yield Label("Topics [dim](none ticked = all)[/]")
                yield SelectionList[str](*((title, key) for key, title in TOPICS.items()), id="custom-topics")
        with Horizontal(id="mock-setup-start"):
            with Horizontal(classes="mock-field"):
                yield Label("Seed ")
                yield Input(placeholder="random", id="mock-seed", type="integer", max_length=10, valid_empty=True)
            yield Button("Start (ctrl+s)", id="mock-start", variant="primary")
        yield Footer()

    hold_keys = False

    @on(events.ScreenResume)
    def _back(self) -> None:
        self.hold_keys = False

    def on_mount(self) -> None:
        presets = self.query_one("#mock-presets", OptionList)
        presets.highlighted = 0
        presets.focus()
        self._describe()

    @property
    def chosen(self) -> str:
        presets = self.query_one("#mock-presets", OptionList)
        index = presets.highlighted or 0
        return presets.get_option_at_index(index).id or CUSTOM

    @on(OptionList.OptionHighlighted, "#mock-presets")
    def _describe(self) -> None:
        custom = self.chosen == CUSTOM
        self.query_one("#mock-custom").set_class(not custom, "-inactive")
        self.query_one("#mock-custom").disabled = not custom
        about = "Set the length, the number of concept questions, one coding difficulty per task, and topics." \
            if custom else builtin_presets()[self.chosen].description
        self.query_one("#preset-about", Static).update(escape(about))

    @on(OptionList.OptionSelected, "#mock-presets")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = "#custom-minutes" if event.option.id == CUSTOM else "#mock-seed"
        self.query_one(target, Input).focus()

    def preset(self) -> Preset:
        """The chosen preset (raises PresetError with a message for the person)."""
        if self.chosen != CUSTOM:
            return builtin_presets()[self.chosen]

        def number(widget_id: str, what: str) -> int:
            raw = self.query_one(widget_id, Input).value.strip()
            try:
                return int(raw)
            except ValueError:
                raise PresetError(f"custom preset: {what} must be a whole number") from None

        coding = [c for c in str(self.query_one("#custom-coding", Select).value).split(",") if c]
        topics = list(self.query_one("#custom-topics", SelectionList).selected)
        return custom_preset(number("#custom-minutes", "minutes"), number("#custom-items", "questions"),
                             coding, topics)

    def seed(self) -> int | None:
        raw = self.query_one("#mock-seed", Input).value.strip()
        return int(raw) if raw else None

    @on(Button.Pressed, "#mock-start")
    @on(Input.Submitted)
    def action_start(self, *_: Any) -> None:
        try:
            preset = self.preset()
            seed = self.seed()
        except (PresetError, ValueError) as e:
            self.notify(str(e), severity="warning")
            return
        if preset.concept_items == 0 and not preset.coding:
            self.notify("Ask at least one concept question or one coding task.", severity="warning")
            return
        self.hold_keys = True  # keys typed while the mock is drawn go to its first question, not to this form
        mock_flow.start(self.nn, preset, seed)
