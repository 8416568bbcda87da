"""The answer area of each item type: flashcard, multiple choice, and value (number or shape).

Each posts :class:`Answered` once the candidate has answered (flashcards: once rated); the item screen records it
and moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Markdown, OptionList, SelectionList, TextArea
from textual.widgets.option_list import Option

from quiz.choice_order import numbers, order_note, shuffled_order
from quiz.tui.progress import RATINGS
from quiz.tui.services import Checked, Drawn


class Answered(Message):
    """The candidate answered (``correct`` None for a self-rated flashcard)."""

    def __init__(self, correct: bool | None, rating: int | None, answer: str) -> None:
        super().__init__()
        self.correct = correct
        self.rating = rating
        self.answer = answer


class ItemBody(Widget):
    """Base of the answer areas."""

    DEFAULT_CSS = "ItemBody { height: auto; }"
    answered = False

    def __init__(self, item: Any, drawn: Drawn | None = None) -> None:
        super().__init__()
        self.item = item
        self.drawn = drawn

    def digit(self, n: int) -> bool:
        """Handle key ``n`` (1-9); True if it meant something here."""
        return False

    def start_focus(self) -> None:
        """Focus what the candidate should use first: the answer."""

    def text_box(self) -> Input | TextArea | None:
        """The box the answer is typed into while it can still be typed (None: no box, or answered)."""
        return None


def type_into(box: Input | TextArea, text: str) -> None:
    """Focus ``box`` and type ``text`` at its cursor, as if the keys had been pressed there."""
    box.focus()
    if isinstance(box, Input):
        box.insert_text_at_cursor(text)
    else:
        box.insert(text)


def feedback_markdown(correct: bool, lines: list[str]) -> str:
    head = "**✓ Right.**" if correct else "**✗ Not quite.**"
    return "\n\n".join([head, *[x for x in lines if x]])


# -- flashcard -------------------------------------------------------------------------------------------------


class FlashcardBody(ItemBody):
    """Optional answer box (focused first: every printable key is text there); tab then space, or ctrl+r,
    reveals the model answer and key points; then 1–4 rate it. Each rating button shows the interval it would
    schedule (``intervals``: rating -> text such as ``10m`` or ``3d``)."""

    def __init__(self, item: Any, drawn: Drawn | None = None, intervals: dict[int, str] | None = None) -> None:
        super().__init__(item, drawn)
        self.intervals = intervals or {}

    def compose(self) -> ComposeResult:
        yield TextArea("", id="answer-box", soft_wrap=True, show_line_numbers=False,
                       placeholder="Your answer (optional). Then tab and space (or ctrl+r) reveal the answer.")
        yield Button("Reveal answer (space)", id="reveal", variant="primary")
        with Vertical(id="revealed"):
            yield Label("[b]Model answer[/b]")
            yield Markdown(self.item.answer, id="model-answer")
            yield Label("[b]Key points[/b] [dim]— tick the ones you covered (space)[/]")
            yield SelectionList[int](*((p, n) for n, p in enumerate(self.item.key_points)), id="key-points")
            if self.item.explanation:
                yield Markdown(self.item.explanation, id="explanation")
            yield Label("[b]How well did you know it?[/b] [dim]keys 1–4[/]")
            with Horizontal(id="ratings"):
                for r, name in RATINGS.items():
                    after = f" · {self.intervals[r]}" if r in self.intervals else ""
                    yield Button(f"{r} {name}{after}", id=f"rate-{r}",
                                 variant="error" if r == 1 else "warning" if r == 2 else "success")

    def on_mount(self) -> None:
        self.query_one("#revealed").display = False

    def start_focus(self) -> None:
        self.query_one("#answer-box", TextArea).focus()

    def text_box(self) -> TextArea | None:
        return None if self.revealed else self.query_one("#answer-box", TextArea)

    @property
    def revealed(self) -> bool:
        return bool(self.query_one("#revealed").display)

    @on(Button.Pressed, "#reveal")
    def reveal(self) -> None:
        if self.revealed:
            return
        self.query_one("#revealed").display = True
        self.query_one("#reveal").display = False
        self.query_one("#answer-box", TextArea).read_only = True
        self.query_one("#key-points", SelectionList).focus()
        self.query_one("#revealed").scroll_visible(top=True)

    @on(Button.Pressed, "#ratings Button")
    def _rate_button(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        self.rate(int(event.button.id.removeprefix("rate-")))

    def rate(self, rating: int) -> None:
        if not self.revealed or self.answered:
            return
        self.answered = True
        ticked = len(self.query_one("#key-points", SelectionList).selected)
        answer = self.query_one("#answer-box", TextArea).text
        note = f"[key points {ticked}/{len(self.item.key_points)}]"
        self.post_message(Answered(None, rating, f"{answer}\n{note}".strip()))

    def digit(self, n: int) -> bool:
        if 1 <= n <= 4 and self.revealed:
            self.rate(n)
            return True
        return False


# -- multiple choice -------------------------------------------------------------------------------------------


class UnpickedOptions(OptionList):
    """An OptionList that starts with nothing highlighted (OptionList highlights its first option), so that
    enter before any choice is made answers nothing."""

    def __init__(self, *options: Option, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(*options, id=id, classes=classes)
        self.highlighted = None


class ChoiceList(UnpickedOptions):
    """The choices: arrows and number keys pick, space ticks (multi-answer), enter answers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "Tick", show=False),
        Binding("enter", "submit", "Answer", show=False),
    ]

    class Submit(Message):
        """Enter was pressed."""

    def action_tick(self) -> None:
        self.action_select()

    def action_submit(self) -> None:
        self.post_message(self.Submit())


class ChoiceBody(ItemBody):
    """A multiple-choice question, one or several right answers, its choices in a shuffled order.

    ``order[k]`` is the bank index of the choice shown at position ``k``; everything shown and recorded uses the
    shown numbers, and nothing is highlighted until the candidate moves or types a number.
    """

    def __init__(self, item: Any, drawn: Drawn | None = None, order: list[int] | None = None) -> None:
        super().__init__(item, drawn)
        self.order = order if order is not None else list(range(len(item.choices)))
        self.multiple = sum(c.correct for c in item.choices) > 1
        self.ticked: set[int] = set()  # shown positions, 0-based

    def compose(self) -> ComposeResult:
        n = len(self.item.choices)
        hint = f"several are right: tick with space or 1–{n}, enter answers" if self.multiple else \
            f"pick with ↑↓ or 1–{n}, enter answers"
        yield Label(f"[dim]{hint}[/]")
        yield ChoiceList(*(Option(self._prompt(k), id=str(k)) for k in range(n)), id="choices")
        yield Button("Answer (enter)", id="answer", variant="primary")
        yield Markdown("", id="feedback")

    def on_mount(self) -> None:
        self.query_one("#feedback").display = False

    def start_focus(self) -> None:
        self.query_one("#choices", ChoiceList).focus()

    def choice(self, k: int) -> Any:
        """The choice shown at position ``k``."""
        return self.item.choices[self.order[k]]

    @property
    def right(self) -> set[int]:
        """Shown positions of the correct choices."""
        return {k for k in range(len(self.order)) if self.choice(k).correct}

    def _prompt(self, k: int, *, result: bool = False) -> str:
        choice = self.choice(k)
        text = choice.text.replace("[", r"\[")
        box = ""
        if self.multiple:
            box = "[x] " if k in self.ticked else "[ ] "
            box = box.replace("[", r"\[")
        if result:
            mark = "[green]✓[/]" if choice.correct else ("[red]✗[/]" if k in self.ticked else " ")
            return f"{mark} {k + 1}. {box}{text}"
        return f"{k + 1}. {box}{text}"

    def _refresh_prompts(self, result: bool = False) -> None:
        choices = self.query_one("#choices", ChoiceList)
        for k in range(len(self.order)):
            choices.replace_option_prompt_at_index(k, self._prompt(k, result=result))

    def toggle(self, k: int) -> None:
        if self.answered:
            return
        self.ticked ^= {k}
        self._refresh_prompts()

    def digit(self, n: int) -> bool:
        if self.answered or not 1 <= n <= len(self.order):
            return False
        choices = self.query_one("#choices", ChoiceList)
        choices.highlighted = n - 1
        choices.focus()
        if self.multiple:
            self.toggle(n - 1)
        return True

    @on(OptionList.OptionSelected, "#choices")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.multiple:
            self.toggle(event.option_index)
        else:
            self.ticked = {event.option_index}
            self.submit()

    @on(ChoiceList.Submit)
    @on(Button.Pressed, "#answer")
    def submit(self) -> None:
        if self.answered:
            return
        if not self.multiple:
            highlighted = self.query_one("#choices", ChoiceList).highlighted
            if highlighted is not None:
                self.ticked = {highlighted}
        if not self.ticked:
            how = "space or its number" if self.multiple else "↑↓ or its number"
            self.notify(f"Pick a choice first ({how}).", severity="warning")
            return
        self.answered = True
        right = self.right
        correct = self.ticked == right
        self._refresh_prompts(result=True)
        self.query_one("#answer").display = False
        feedback = self.query_one("#feedback", Markdown)
        feedback.update(self.explain(correct, right))
        feedback.set_class(correct, "-right").set_class(not correct, "-wrong")
        feedback.display = True
        answer = f"{numbers(self.ticked)} {order_note(self.order)}"
        self.post_message(Answered(correct, None, answer))

    def explain(self, correct: bool, right: set[int]) -> str:
        lines: list[str] = []
        for k in sorted(right):
            why = f" — {self.choice(k).why}" if self.choice(k).why else ""
            lines.append(f"**Right answer {k + 1}.** {self.choice(k).text}{why}")
        for k in sorted(self.ticked - right):
            lines.append(f"**You chose {k + 1}.** {self.choice(k).text} — {self.choice(k).why}")
        if self.item.explanation:
            lines.append(self.item.explanation)
        return feedback_markdown(correct, lines)


# -- numeric, shape, parameterised -----------------------------------------------------------------------------


class ValueBody(ItemBody):
    """A number or a shape typed into an input; checked by ``questions.check_answer``."""

    def __init__(self, item: Any, drawn: Drawn | None = None,
                 checker: Callable[[Any, str, Drawn | None], Checked] | None = None) -> None:
        super().__init__(item, drawn)
        self.checker = checker

    @property
    def kind(self) -> str:
        if self.item.type == "parameterised":
            return str(self.item.answer_kind)
        return str(self.item.type)

    def compose(self) -> ComposeResult:
        unit = getattr(self.item, "unit", None)
        if self.kind == "shape":
            placeholder = "a shape, e.g. (32, 64) — enter checks"
        else:
            placeholder = "a number" + (f" in {unit}" if unit else "") + " — e.g. 1.5e6 — enter checks"
        yield Input(placeholder=placeholder, id="value", classes="item-input")
        yield Markdown("", id="feedback")

    def on_mount(self) -> None:
        self.query_one("#feedback").display = False

    def start_focus(self) -> None:
        self.query_one("#value", Input).focus()

    def text_box(self) -> Input | None:
        return None if self.answered else self.query_one("#value", Input)

    @on(Input.Submitted, "#value")
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        raw = event.value.strip()
        if self.answered or not raw:
            return
        try:
            assert self.checker is not None
            checked = self.checker(self.item, raw, self.drawn)
        except Exception as e:
            self.notify(f"Could not check this answer: {e}", severity="error")
            return
        self.answered = True
        box = self.query_one("#value", Input)
        box.disabled = True
        lines = [checked.feedback]
        if checked.expected:
            lines.append(f"**Answer:** `{checked.expected}`")
        if checked.working:
            lines.append(f"**Working:**\n\n```\n{checked.working}\n```")
        if self.item.explanation:
            lines.append(self.item.explanation)
        feedback = self.query_one("#feedback", Markdown)
        feedback.update(feedback_markdown(checked.correct, lines))
        feedback.set_class(checked.correct, "-right").set_class(not checked.correct, "-wrong")
        feedback.display = True
        self.post_message(Answered(checked.correct, None, raw))


def body_for(item: Any, drawn: Drawn, checker: Callable[[Any, str, Drawn | None], Checked], *,
             seed: int | str = 0, intervals: dict[int, str] | None = None) -> ItemBody:
    """The answer area of ``item``; ``seed`` orders a multiple-choice item's choices for this presentation;
    ``intervals`` label a flashcard's rating buttons."""
    if item.type == "flashcard":
        return FlashcardBody(item, drawn, intervals)
    if item.type == "mcq":
        return ChoiceBody(item, drawn, shuffled_order(len(item.choices), f"{seed}:{item.id}"))
    return ValueBody(item, drawn, checker)


__all__ = ["Answered", "ChoiceBody", "FlashcardBody", "ItemBody", "UnpickedOptions", "ValueBody", "body_for",
           "type_into"]
