"""The Python editor of coding tasks: Textual's TextArea with the keys a programmer expects.

- ``enter`` keeps the line's indentation, one level more after a line ending in ``:``;
- ``tab`` with a selection over several lines indents them all (``shift+tab`` dedents), without a selection it
  inserts spaces to the next tab stop;
- ``escape`` is left to the screen (one press leaves the task), instead of moving focus out of the editor.
"""

from __future__ import annotations

import re

from textual import events
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

INDENT = 4


def line_indent(line: str) -> str:
    """The leading whitespace of ``line``."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_after(line_before_cursor: str) -> str:
    """The indentation of the line that follows ``line_before_cursor`` when enter is pressed there."""
    indent = line_indent(line_before_cursor)
    code = re.sub(r"#.*$", "", line_before_cursor).rstrip()
    return indent + " " * INDENT if code.endswith(":") else indent


class CodeEditor(TextArea):
    """A TextArea for Python code (see the module docstring)."""

    async def _on_key(self, event: events.Key) -> None:
        if self.read_only:
            return
        if event.key == "escape":
            event.prevent_default()  # not TextArea's "focus the next widget": the screen's binding, one press leaves
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            row, column = self.cursor_location
            before = self.document.get_line(row)[:column]
            start, end = self.selection
            self._replace_via_keyboard("\n" + indent_after(before), start, end)
            return
        if event.key in ("tab", "shift+tab"):
            start, end = sorted(self.selection)
            if start[0] != end[0] or event.key == "shift+tab":
                event.stop()
                event.prevent_default()
                self.shift_lines(start[0], end[0] - (1 if end[0] > start[0] and end[1] == 0 else 0),
                                 dedent=event.key == "shift+tab")
                return
        await super()._on_key(event)

    def shift_lines(self, first: int, last: int, *, dedent: bool) -> None:
        """Indent (or dedent) lines ``first``..``last`` by one level and keep them selected."""
        lines = [self.document.get_line(r) for r in range(first, last + 1)]
        if dedent:
            shifted = [line[min(INDENT, len(line) - len(line.lstrip(" "))):] if line.startswith(" ")
                       else line.removeprefix("\t") for line in lines]
        else:
            shifted = [(" " * INDENT + line) if line.strip() else line for line in lines]
        end = (last, len(lines[-1]))
        self.replace("\n".join(shifted), (first, 0), end)
        self.selection = Selection((first, 0), (last, len(shifted[-1])))
