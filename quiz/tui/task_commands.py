"""The coding tasks in the command palette (ctrl+p): type part of a task's id, title or topic to open it."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from quiz.app import NnprepApp


class TaskCommands(Provider):
    """One command per coding task: "Task linear: Linear layer forward and backward"."""

    texts: dict[str, Any]

    async def startup(self) -> None:
        app: NnprepApp = self.app  # type: ignore[assignment]
        try:
            self.texts = await asyncio.to_thread(app.services.task_texts)
        except Exception:
            self.texts = {}

    def _open(self, task_id: str) -> None:
        from quiz.tui.screens.task_list import open_task

        open_task(self.app, task_id, self.texts[task_id])  # type: ignore[arg-type]

    @staticmethod
    def _name(task_id: str, text: Any) -> str:
        return f"Task {task_id}: {text.title}"

    async def search(self, query: str) -> Hits:
        """Tasks whose id, title or topic contain every word of the query (a plain search, not a fuzzy one, so
        that "stats" does not list every task spelling s…t…a…t…s)."""
        words = query.casefold().replace("task", " ").split()
        if not words:
            return
        matcher = self.matcher(query)
        for task_id, text in self.texts.items():
            name = self._name(task_id, text)
            haystack = f"{task_id} {text.title} {text.topic}".casefold().replace("_", " ") + " " + task_id
            if all(w in haystack for w in words):
                yield Hit(0.5 + 0.5 * matcher.match(name), matcher.highlight(name), partial(self._open, task_id),
                          help=f"{text.difficulty} · ~{text.minutes} min")

    async def discover(self) -> Hits:
        for task_id, text in self.texts.items():
            yield DiscoveryHit(self._name(task_id, text), partial(self._open, task_id),
                               help=f"{text.difficulty} · ~{text.minutes} min")
