"""Help: what nnprep does and every key."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Markdown

from quiz.tui.base import BaseScreen

HELP = """\
# nnprep

Practise the neural-network fundamentals ML interviews ask about, then implement forward and backward passes in
NumPy and have them graded with diagnostics that name the mistake.

## Everywhere

| Key | Action |
|---|---|
| `ctrl+p` | command palette: every main action |
| `escape` | back |
| `ctrl+q` | quit |
| `tab` / `shift+tab` | move between controls; the mouse works too |

## Home

`p` practice · `c` coding tasks · `r` review due items · `s` stats · `?` help · `q` quit

## Practice

* **Flashcards**: type an answer if you like, `space` reveals the model answer and its key points (tick the ones you
  covered), then rate yourself `1` Again, `2` Hard, `3` Good, `4` Easy.
* **Multiple choice**: `1`–`5` or the arrows pick a choice (several when more than one is right), `enter` answers.
* **Numbers and shapes**: type the value (`(32, 64)` for a shape), `enter` checks it; parameterised questions show
  the worked computation.
* After answering, `enter` or `n` goes on. At the end a summary shows the score by topic and what to review.

## Coding tasks

The statement sits beside a Python editor pre-filled with the starter; your code is saved as you type.

| Key | Action |
|---|---|
| `ctrl+r` | run the visible examples |
| `ctrl+s` | submit: grade every case, hidden ones too |
| `ctrl+h` | the next hint |
| `ctrl+o` | the reference solution (asks first if you have not run your code) |
| `ctrl+z` | undo in the editor; `ctrl+t` resets to the starter (asks first) |

Grading runs in a sandboxed process in the background: you can keep typing while it runs, and an infinite loop
ends with a *time limit exceeded* verdict. Wrong arrays are shown as a heatmap of |got − expected|.
"""


class HelpScreen(BaseScreen[None]):
    """Keys and how nnprep works."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="help-body"):
            yield Markdown(HELP)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
