"""Markdown rendered by Rich inside one Static: cheap to build and to show again, unlike Textual's Markdown widget
(a widget per block and per table cell). For read-only prose: task statements, hints, help."""

from __future__ import annotations

from rich.markdown import Markdown
from textual.widgets import Static


class MarkdownText(Static):
    """Static Markdown; ``source`` is the Markdown shown."""

    def __init__(self, markdown: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Markdown(markdown), id=id, classes=classes)
        self.source = markdown

    def update_markdown(self, markdown: str) -> None:
        self.source = markdown
        self.update(Markdown(markdown))
