"""The line every screen that shows progress carries while progress is NOT being saved (and why)."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

UNSAVED_TITLE = "Progress is NOT being saved"
UNSAVED_TOAST = "Everything you practise now is lost when you quit. Why: the warning at the top of the screen."


def unsaved_message(problem: str) -> str:
    """The warning line: nothing practised now survives quitting, and the database's problem (one line, from
    ``quiz.store``)."""
    return f"{UNSAVED_TITLE} (kept in memory, lost when you quit): {problem}"


class UnsavedProgress(Static):
    """Hidden while progress is saved; otherwise a warning that stays on screen, following the app's
    ``progress_problem`` (set once the progress database has been tried, ``NnprepApp.open_progress``).

    The home screen shows the whole message; ``compact`` screens (where space is short) one line, cut with an
    ellipsis: the warning itself comes first, so it is always whole."""

    def __init__(self, *, compact: bool = False, **kwargs: Any) -> None:
        super().__init__("", markup=False, **kwargs)
        self.set_class(compact, "-compact")

    def on_mount(self) -> None:
        self.watch(self.app, "progress_problem", self._show, init=True)

    def _show(self, problem: str | None) -> None:
        self.display = problem is not None
        if problem is not None:
            from quiz.tui.safe_text import plain  # the message quotes a path: shown literally, never as markup

            self.update(plain("⚠ " + unsaved_message(problem)))
