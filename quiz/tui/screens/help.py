"""Help: what nnprep does and every key."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header

from quiz.tui.base import BaseScreen
from quiz.tui.widgets.markdown_text import MarkdownText

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

## The keyboard contract

* **Focus starts on the answer.** As soon as an item shows you can type its answer; keys typed while a screen is
  still appearing are kept and reach it in the order you typed them.
* **In a text box every printable key is text**: a flashcard's answer box, a number or shape box, a mock answer,
  the code editor. Space, digits and letters there never reveal, rate, pick or move on.
* **Acting on an item needs a key outside the text box, or a ctrl key**: `ctrl+r` reveals a flashcard (or `tab` out
  of the box, then `space`); the ratings `1`–`4` work once the answer is revealed; `n` moves on once answered.
* **Nothing is pre-selected**: multiple-choice choices come in a new order each time and `enter` answers only after
  you have picked one.

## Home

`p` practice · `c` coding tasks · `r` review due items · `l` leeches (items failed 8 times or more, when there are
any) · `m` mock interview · `s` stats · `?` help · `q` quit

Your progress is saved as you go. If the progress database cannot be used, a red line at the top of the screen
says that progress is NOT being saved and why: what you do is kept until you quit, then lost.

When a mock interview was interrupted (a closed terminal, a crash, or you left it), home shows it: `u` resumes it
with the time left as it stands (past its deadline it goes straight to submission), `x` ends it now.

## Practice

* **Flashcards**: type an answer if you like, `ctrl+r` (or `tab`, then `space`) reveals the model answer and its key
  points (tick the ones you covered with `space`), then rate yourself `1` Again, `2` Hard, `3` Good, `4` Easy.
* **Multiple choice**: `1`–`5` or the arrows pick a choice (`space` ticks several when more than one is right),
  `enter` answers. The choices are shuffled each time they are shown.
* **Numbers and shapes**: type the value (`(32, 64)` for a shape), `enter` checks it; parameterised questions show
  the worked computation.
* After answering, `enter` or `n` goes on. At the end a summary shows the score by topic and what to review.

## Typing numbers and shapes

* Arithmetic: `2*64*128`, `(3+1)*2`, `2^10`, `1/3`; `x` or `×` between numbers multiplies (`2x3` is 6).
* Digit groups and magnitudes: `1,000,000`, `1 000 000`, `3.5k`, `2M`, `7B` or `7bn` (7·10⁹), `1.2G`, `4T`,
  `2 million`.
* Units of the question's kind are converted to its unit: for an answer in GB, `14`, `14 GB`, `14G` and
  `14000 MB` are all 14; in MB, `98 MiB` is 102.76. Bytes (`KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`…), FLOPs
  (`GFLOPs`…) and parameters (`params`).
* Shapes: `(32, 64)`, `32x64`, `[32, 64]`, `torch.Size([32, 64])`, `()` for a scalar; a dimension may be
  arithmetic: `(64, 64*8*8)` is (64, 4096).
* Anything else after a number (`5 apples`, a unit of another kind) is refused with a message, never ignored.

## Coding tasks

The list shows each task's id (the one `nnprep grade --task` takes); `/` searches by id, title or topic, `f` goes
to the filters, `enter` opens a task. The command palette (`ctrl+p`) finds tasks too: type part of a name.
The statement sits beside a Python editor pre-filled with the starter; your code is saved as you type. `enter`
keeps the indentation (one level more after `:`), `tab` / `shift+tab` indent or dedent the selected lines, one
`escape` leaves the task. The Solution tab wraps the reference solution and copies it to the editor on request.

| Key | Action |
|---|---|
| `ctrl+r` | run the visible examples |
| `ctrl+s` | submit: grade every case, hidden ones too |
| `escape` | while grading: cancel the grade (the sandboxed run is stopped; nothing is recorded) |
| `ctrl+g` | the next hint |
| `ctrl+o` | the reference solution (asks first if you have not run your code) |
| `ctrl+z` | undo in the editor; `ctrl+t` resets to the starter (asks first) |
| `f2` | wide editor: hide the statement pane |

## Mock interviews

Choose a preset (or your own length, number of questions, coding difficulties and topics) and optionally a seed
to reproduce a draw; `ctrl+s` starts. The countdown is in the header; your answers are saved as you type and
nothing says right or wrong until the end. When time is up, everything is submitted as it stands.

| Key | Action |
|---|---|
| `ctrl+n` / `ctrl+b` | next / previous question |
| `ctrl+l` | the list of questions (`enter` jumps); `f2` hides it |
| `1`–`9` | pick a choice (toggle it when several are right) |
| `ctrl+r` | coding questions: run the visible examples (all cases are graded at submission) |
| `ctrl+s` | submit now (asks first) |
| `escape` | leave: keep it resumable, submit now, or stay |

After submitting, the code is graded, then you compare each typed answer with the model answer and tick the key
points it covered (`space`, `a` ticks all, `ctrl+n` goes on). The report gives the score out of 100, by section and
topic, time per question against the suggestion, coding verdicts, strengths and the three weakest topics; `m`, `j`
and `h` export it as Markdown, JSON or HTML to the `reports` folder in nnprep's data folder (on Linux
`~/.local/share/nnprep/reports`), `e` to a path you choose. It shows each question with your answer, the correct
answer and the explanation; the overall score weighs each question by its suggested time.

## Grading

Grading runs in a sandboxed process in the background: you can keep typing while it runs, and an infinite loop
ends with a *time limit exceeded* verdict. Wrong arrays are shown as a heatmap of |got − expected|.
"""


class HelpScreen(BaseScreen[None]):
    """Keys and how nnprep works."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        # One widget rendering Rich's Markdown: Textual's Markdown widget builds a widget per block and per table
        # cell, which took seconds to open and hundreds of milliseconds to show again.
        yield Header()
        with VerticalScroll(id="help-body"):
            yield MarkdownText(HELP, id="help-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
