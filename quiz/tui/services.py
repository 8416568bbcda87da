"""The TUI's view of the rest of nnprep: the bank, the task texts, grading and the progress store.

Everything is imported lazily (the home screen must paint before NumPy, pydantic models or SQLite are touched),
and each dependency is wrapped in a thin adapter so the screens depend on one small interface. Tests inject a
fixed bank, a clock and a runner through :class:`Services`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.tui.progress import MemoryProgress, Progress, StoreProgress

if TYPE_CHECKING:
    from engine.report import GradeReport
    from questions.schema import TaskText


class Unavailable(RuntimeError):
    """A part of nnprep this screen needs is not installed or not built yet."""


@dataclass
class Drawn:
    """One presentation of an item: the prompt to show and the parameters it was drawn with."""

    prompt: str
    params: dict[str, Any] = field(default_factory=dict)
    handle: Any = None  # what questions.draw returned: checking an answer takes it back


@dataclass
class Checked:
    """The outcome of checking an answer, as the screens show it."""

    correct: bool
    feedback: str = ""
    expected: str = ""
    working: str = ""


@dataclass
class BankView:
    """The loaded bank: its items and the problems found in broken user decks."""

    items: list[Any]
    problems: list[str]


def _optional(module: str, name: str) -> Any:
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as e:
        raise Unavailable(f"{module}.{name} is not available ({e})") from e


def now_local() -> datetime:
    return datetime.now().astimezone()


class ServicesClock:
    """The mock interview's clock (an object with ``now()``, in UTC) over the app's clock function."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now().astimezone(UTC)


class Services:
    """Lazy access to the bank, task texts, the grader and the store.

    ``bank`` / ``task_texts`` / ``runner`` override the real ones (tests). ``now`` is the clock every screen uses.
    ``skip_tags``: practice sessions leave out items with any of these tags.
    """

    def __init__(
        self,
        *,
        db: str | Path | None = None,
        decks: Sequence[str | Path] = (),
        now: Callable[[], datetime] = now_local,
        bank: BankView | None = None,
        task_texts: dict[str, TaskText] | None = None,
        runner: Any = None,
        progress: Progress | None = None,
        seed: int | None = None,
        limits: Any = None,
        skip_tags: Sequence[str] = (),
    ) -> None:
        self.db = db
        self.skip_tags = frozenset(skip_tags)  # practice leaves out items with these tags (--skip-tag)
        self.decks = [Path(d) for d in decks]
        self.now = now
        self.seed = seed
        self.limits = limits  # engine.Limits for grading (None: the engine's defaults)
        self._bank = bank
        self._task_texts = task_texts
        self._runner = runner
        self._progress = progress
        self.progress_problem: str | None = None  # why progress is NOT being saved (None: it is, or not opened yet)
        self._lock = threading.Lock()
        self._progress_lock = threading.Lock()

    # -- progress -----------------------------------------------------------------------------------------------
    @property
    def progress(self) -> Progress:
        """The progress store (opened once, on first use, on the calling thread). A database that cannot be used
        gives progress kept in memory only, and ``progress_problem`` says why."""
        with self._progress_lock:
            if self._progress is None:
                try:
                    self._progress = StoreProgress.open(self.db, self.now)
                except Unavailable as e:
                    self.progress_problem = str(e)
                    self._progress = MemoryProgress(self.now)
            return self._progress

    @property
    def clock(self) -> ServicesClock:
        """The clock of mock interviews: ``now`` (the one every screen uses), as ``quiz.mock`` wants it."""
        return ServicesClock(self.now)

    def store(self) -> Any:
        """The ``quiz.store.Store`` behind the progress (mock interviews are kept there to be resumable)."""
        store = getattr(self.progress, "store", None)
        if store is None:
            raise Unavailable("mock interviews need the progress database, which could not be opened")
        return store

    # -- bank ---------------------------------------------------------------------------------------------------
    def bank(self) -> BankView:
        """The question bank with the user's decks (thread-safe; loaded once)."""
        with self._lock:
            if self._bank is None:
                load_bank = _optional("questions", "load_bank")
                loaded = load_bank(self.decks)
                problems = [str(p) for p in getattr(loaded, "problems", [])]
                tags = {t for item in loaded.items for t in item.tags}
                problems += [f"--skip-tag {t}: no item has this tag" for t in sorted(self.skip_tags - tags)]
                self._bank = BankView(items=list(loaded.items), problems=problems)
            return self._bank

    def draw(self, item: Any, seed: int) -> Drawn:
        """The prompt and parameters of one presentation of ``item`` (parameterised items draw their numbers)."""
        if getattr(item, "type", "") != "parameterised":
            return Drawn(prompt=item.prompt)
        draw = _optional("questions", "draw")
        drawn = draw(item, seed)
        return Drawn(prompt=str(drawn.prompt), params=dict(drawn.params), handle=drawn)

    def check(self, item: Any, raw: str, drawn: Drawn | None = None) -> Checked:
        """Check a typed answer (for a parameterised item, against the numbers it was drawn with)."""
        check_answer = _optional("questions", "check_answer")
        result = check_answer(item, raw, None if drawn is None else (drawn.handle or drawn.params or None))
        return Checked(
            correct=bool(result.correct),
            feedback=str(getattr(result, "feedback", "") or ""),
            expected=str(getattr(result, "expected", "") or ""),
            working=str(getattr(result, "working", "") or ""),
        )

    # -- coding tasks -------------------------------------------------------------------------------------------
    def task_texts(self) -> dict[str, TaskText]:
        """Every coding task's prose, in catalogue order, restricted to tasks the engine knows."""
        with self._lock:
            if self._task_texts is None:
                load = _optional("questions", "load_task_texts")
                texts: dict[str, TaskText] = load()
                order = _optional("engine.tasks", "TASK_IDS")
                self._task_texts = {t: texts[t] for t in order if t in texts}
            return self._task_texts

    def grade(self, source: str, task_id: str, *, visible_only: bool, cancel: Any = None) -> GradeReport:
        """Grade in the sandbox (or the injected runner); blocking — call from a worker thread. Setting ``cancel``
        (a ``threading.Event``) from another thread kills the run and raises ``engine.runner.RunCancelled``."""
        from engine import grade

        runner = self._runner
        if runner is None:
            runner = _optional("engine.sandbox", "default_sandbox")()
        report: GradeReport = grade(source, task_id, self.limits, runner=runner, visible_only=visible_only,
                                    cancel=cancel)
        return report

    def sandbox_available(self) -> bool:
        if self._runner is not None:
            return True
        try:
            _optional("engine.sandbox", "default_sandbox")
        except Unavailable:
            return False
        return True

    def reference_solution(self, task_id: str) -> str:
        reference_source = _optional("engine.solutions", "reference_source")
        text: str = reference_source(task_id)
        return text

    # -- stats ----------------------------------------------------------------------------------------------------
    def stats(self) -> Any:
        """``quiz.progress_stats.compute_stats`` over the store (blocking: call from a worker)."""
        item_topics = {i.id: i.topic for i in self.bank().items}
        try:
            task_topics = {t: str(text.topic) for t, text in self.task_texts().items()}
        except Unavailable:
            task_topics = {}
        return self.progress.stats(item_topics, task_topics)
