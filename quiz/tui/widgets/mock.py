"""The answer panes of a mock interview: one per entry, no correctness feedback until the end.

Each pane posts :class:`AnswerChanged` as the candidate types or picks, so the mock screen can hand the answer to
the session and save it. Panes are built with the answer already given (a resumed mock shows it again).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget
from textual.widgets import (
    Input,
    Markdown,
    OptionList,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.widgets.option_list import Option

from quiz.choice_order import numbers, parse_numbers
from quiz.tui.widgets.editor import CodeEditor
from quiz.tui.widgets.items import UnpickedOptions
from quiz.tui.widgets.results import ResultsView, task_tolerance

SHORT_NAMES = {"flashcard": "flashcard", "mcq": "choice", "numeric": "number", "shape": "shape",
               "parameterised": "calculation", "coding": "coding"}
TYPE_NAMES = {"flashcard": "flashcard", "mcq": "multiple choice", "numeric": "number", "shape": "shape",
              "parameterised": "calculation", "coding": "coding"}


def mmss(seconds: float) -> str:
    """``m:ss`` (rounded down to the second; never negative)."""
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


class AnswerChanged(Message):
    """The candidate changed the answer of entry ``index``."""

    def __init__(self, index: int, answer: str) -> None:
        super().__init__()
        self.index = index
        self.answer = answer


class EntryPane(Vertical):
    """Base of the panes: knows its entry and where the candidate starts typing."""

    DEFAULT_CSS = "EntryPane { height: 1fr; }"

    def __init__(self, entry: Any, answer: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="mock-pane")
        self.entry = entry
        self.answer = answer

    def changed(self, answer: str) -> None:
        if answer != self.answer:
            self.answer = answer
            self.post_message(AnswerChanged(self.entry.index, answer))

    def answer_widget(self) -> Widget:
        """The widget the answer is given in (raises NoMatches while it is still being built)."""
        raise NoMatches("this pane has no answer widget")

    def start_focus(self) -> Widget:
        """Focus the answer widget and return it."""
        widget = self.answer_widget()
        widget.focus()
        return widget


# -- concept items --------------------------------------------------------------------------------------------------


class ConceptPane(EntryPane):
    """A bank item: its prompt (drawn with the entry's seed for parameterised items) above the answer widget."""

    def __init__(self, entry: Any, item: Any, prompt: str, answer: str, *, id: str | None = None) -> None:
        super().__init__(entry, answer, id=id)
        self.item = item
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="mock-question"):
            yield Markdown(self.prompt, classes="mock-prompt")
            yield from self.answer_widgets()

    def answer_widgets(self) -> ComposeResult:
        yield from ()


class FlashcardPane(ConceptPane):
    """A typed answer, self-assessed against the key points after submission."""

    def answer_widgets(self) -> ComposeResult:
        yield Static("Type your answer as you would say it; you compare it with the model answer at the end.",
                     classes="muted")
        yield TextArea(self.answer, soft_wrap=True, show_line_numbers=False, classes="mock-answer-box",
                       placeholder="Your answer…")

    def answer_widget(self) -> Widget:
        return self.query_one(TextArea)

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.changed(event.text_area.text)


class MockChoices(UnpickedOptions):
    """The choices of a mock question: number keys or enter pick (space ticks when several are right)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick", show=False),
        *(Binding(str(d), f"digit({d})", str(d), show=False) for d in range(1, 10)),
    ]

    class Picked(Message):
        """Choice ``n`` (0-based) was picked or toggled."""

        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n

    def action_tick(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Picked(self.highlighted))

    def action_digit(self, d: int) -> None:
        if d <= self.option_count:
            self.highlighted = d - 1
            self.post_message(self.Picked(d - 1))


class ChoicePane(ConceptPane):
    """Multiple choice in the entry's shuffled order: the candidate's pick (shown numbers) is marked, never judged."""

    def __init__(self, entry: Any, item: Any, prompt: str, answer: str, *, id: str | None = None) -> None:
        super().__init__(entry, item, prompt, answer, id=id)
        self.multiple = sum(c.correct for c in item.choices) > 1
        n = len(item.choices)
        order = getattr(entry, "choice_order", None)
        self.order: list[int] = order if order is not None and sorted(order) == list(range(n)) else list(range(n))
        self.ticked = {i for i in parse_numbers(answer) if 0 <= i < n}

    def answer_widgets(self) -> ComposeResult:
        n = len(self.item.choices)
        hint = f"several are right: 1–{n} or space tick them" if self.multiple else f"1–{n} or enter picks"
        yield Static(hint, classes="muted")
        yield MockChoices(*(Option(self._prompt(i), id=f"choice-{i}") for i in range(n)), classes="mock-choices")

    def _prompt(self, i: int) -> str:
        marks = (r"\[x]", r"\[ ]") if self.multiple else ("(•)", "( )")
        box = marks[0] if i in self.ticked else marks[1]
        return f"{box} {i + 1}. {escape(self.item.choices[self.order[i]].text)}"

    def answer_widget(self) -> Widget:
        return self.query_one(MockChoices)

    def start_focus(self) -> Widget:
        choices = self.query_one(MockChoices)
        choices.focus()
        if choices.highlighted is None and self.ticked:
            choices.highlighted = min(self.ticked)
        return choices

    def pick(self, i: int) -> None:
        """Pick choice ``i`` (toggle it when several are right)."""
        if self.multiple:
            self.ticked ^= {i}
        else:
            self.ticked = {i}
        choices = self.query_one(MockChoices)
        for n in range(len(self.item.choices)):
            choices.replace_option_prompt_at_index(n, self._prompt(n))
        self.changed(numbers(self.ticked))

    @on(MockChoices.Picked)
    def _picked(self, event: MockChoices.Picked) -> None:
        event.stop()
        self.pick(event.n)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.pick(event.option_index)


class ValuePane(ConceptPane):
    """A number or a shape typed into an input (enter goes on to the next question)."""

    def answer_widgets(self) -> ComposeResult:
        kind = str(self.item.answer_kind) if self.item.type == "parameterised" else str(self.item.type)
        unit = getattr(self.item, "unit", None)
        if kind == "shape":
            placeholder = "a shape, e.g. (32, 64)"
        else:
            placeholder = "a number" + (f" in {unit}" if unit else "") + ", e.g. 1.5e6"
        yield Input(self.answer, placeholder=placeholder, classes="mock-value")

    def answer_widget(self) -> Widget:
        return self.query_one(Input)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.changed(event.value)


# -- coding ---------------------------------------------------------------------------------------------------------


class CodingPane(EntryPane):
    """A coding task: the statement and the visible examples' results beside the task screen's Python editor."""

    def __init__(self, entry: Any, text: Any, answer: str, *, id: str | None = None) -> None:
        super().__init__(entry, answer, id=id)
        self.text = text

    @property
    def starter(self) -> str:
        return str(self.text.starter)

    def compose(self) -> ComposeResult:
        text = self.text
        with Horizontal(classes="mock-coding"):
            with TabbedContent(classes="mock-coding-side"):
                with TabPane("Task", id=f"statement-{self.entry.index}"), VerticalScroll(classes="mock-statement"):
                    yield Static(f"[b]{escape(text.title)}[/b] · {text.difficulty}", classes="muted")
                    yield Markdown(text.statement)
                with TabPane("Examples", id=f"examples-{self.entry.index}"):
                    yield ResultsView(classes="mock-results")
            with Vertical(classes="mock-editor-column"):
                yield CodeEditor.code_editor(self.answer or self.starter, language="python", soft_wrap=False,
                                             classes="mock-editor")
                with Horizontal(classes="mock-run-status"):
                    yield Static("ctrl+r runs the examples",
                                 classes="mock-run-label")
                    yield ProgressBar(total=None, show_eta=False, show_percentage=False, classes="mock-run-progress")

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False

    @property
    def code(self) -> str:
        return self.query_one(TextArea).text

    def answer_widget(self) -> Widget:
        return self.query_one(TextArea)

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        event.stop()
        text = event.text_area.text
        if not self.answer and text == self.starter:
            return  # the untouched starter is not an answer
        self.changed(text)

    def running(self, message: str) -> None:
        self.query_one(".mock-run-label", Static).update(message)
        self.query_one(ProgressBar).display = True

    def show_examples(self, report: Any | None, message: str) -> None:
        """The visible examples' results (or why they could not run)."""
        self.query_one(ProgressBar).display = False
        self.query_one(".mock-run-label", Static).update(message)
        results = self.query_one(ResultsView)
        if report is None:
            results.show_message(message)
        else:
            results.show_report(report, visible_only=True, tolerance=task_tolerance(self.entry.ref))
        self.query_one(TabbedContent).active = f"examples-{self.entry.index}"


def pane_for(entry: Any, item_or_text: Any, prompt: str, answer: str, *, id: str | None = None) -> EntryPane:
    """The pane of one mock entry."""
    if entry.kind == "task":
        return CodingPane(entry, item_or_text, answer, id=id)
    if entry.item_type == "flashcard":
        return FlashcardPane(entry, item_or_text, prompt, answer, id=id)
    if entry.item_type == "mcq":
        return ChoicePane(entry, item_or_text, prompt, answer, id=id)
    return ValuePane(entry, item_or_text, prompt, answer, id=id)


__all__ = ["AnswerChanged", "ChoicePane", "CodingPane", "EntryPane", "FlashcardPane", "ValuePane", "mmss",
           "pane_for"]
