"""Running a batch: grade candidates, write each result the moment it finishes, resume what a re-run finds done."""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from quiz.batch import formats
from quiz.batch.candidates import Candidate
from quiz.batch.policy import Policy
from quiz.batch.results import CandidateResult, Journal, atomic_write

REWRITE_EVERY_S = 0.5


@dataclass
class BatchOptions:
    """What `nnprep grade` was asked to do with a set of candidates."""

    task_ids: list[str] = field(default_factory=list)
    workers: int = 1
    out: Path | None = None
    fmt: str = "text"
    force: bool = False
    reports_dir: Path | None = None
    policy: Policy = field(default_factory=Policy)
    dask: str | None = None
    progress: bool = False


def journal_path(out: Path, fmt: str, many: bool) -> Path:
    """Where the journal of finished candidates lives, beside the output."""
    if fmt == "gradescope" and many:
        return out / ".nnprep-journal.jsonl"
    return out.with_name(f".{out.name}.journal.jsonl")


class OutputWriter:
    """Keeps the requested output in step with the finished results (atomic rewrites, per-candidate files)."""

    def __init__(self, options: BatchOptions, order: Sequence[str], many: bool) -> None:
        self.options = options
        self.order = {cid: i for i, cid in enumerate(order)}
        self.many = many
        self.results: dict[str, CandidateResult] = {}
        self._last_write = 0.0

    def add(self, result: CandidateResult) -> None:
        self.results[result.candidate] = result
        opts = self.options
        if opts.reports_dir is not None:
            atomic_write(opts.reports_dir / f"{result.candidate}.md", formats.to_markdown(result))
        if opts.out is not None and opts.fmt == "gradescope" and self.many:
            atomic_write(opts.out / result.candidate / "results.json", formats.to_gradescope(result))
        if time.monotonic() - self._last_write >= REWRITE_EVERY_S:
            self.flush()

    def ordered(self) -> list[CandidateResult]:
        return sorted(self.results.values(), key=lambda r: self.order.get(r.candidate, len(self.order)))

    def render(self) -> str:
        results, fmt = self.ordered(), self.options.fmt
        if fmt == "csv":
            return formats.to_csv(results)
        if fmt == "jsonl":
            return formats.to_jsonl(results)
        if fmt == "json":
            return formats.to_json(results)
        if fmt == "junit":
            return formats.to_junit(results)
        if fmt == "gradescope":
            return formats.to_gradescope(results[0]) if results else "{}\n"
        return formats.to_text(results, self.options.policy.pass_rule())

    def flush(self) -> None:
        self._last_write = time.monotonic()
        out = self.options.out
        if out is None or (self.options.fmt == "gradescope" and self.many):
            return
        atomic_write(out, self.render())


def _sigterm_as_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_batch(candidates: Sequence[Candidate], options: BatchOptions) -> tuple[list[CandidateResult], int]:
    """Grade ``candidates``; returns (all results in candidate order, how many were skipped as already done).

    With an output path, each finished candidate is appended to a journal (flushed to the OS before the next one)
    and the output rewritten atomically, so an interrupted run keeps everything finished and a re-run grades only
    what is missing.
    """
    many = len(candidates) > 1
    writer = OutputWriter(options, [c.id for c in candidates], many)
    journal = Journal(journal_path(options.out, options.fmt, many)) if options.out is not None else None
    skipped = 0
    if journal is not None:
        if options.force:
            journal.clear()
        done = journal.load()
        for c in candidates:
            if c.id in done:
                writer.results[c.id] = done[c.id]
                skipped += 1
    todo = [c for c in candidates if c.id not in writer.results]
    previous = signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        with _grader(options, len(todo)) as results_of:
            for result in _progress(results_of(todo), len(todo), options.progress):
                if journal is not None:
                    journal.append(result)
                writer.add(result)
    finally:
        signal.signal(signal.SIGTERM, previous)
        writer.flush()
    return writer.ordered(), skipped


@contextlib.contextmanager
def _grader(
    options: BatchOptions, count: int
) -> Iterator[Callable[[Sequence[Candidate]], Iterator[CandidateResult]]]:
    """A function from ``count`` candidates to their results as they finish: local worker processes (no more than
    there are candidates, none when all are done), or dask."""
    if options.dask:
        from quiz.batch.remote import dask_results

        address = options.dask
        yield lambda todo: dask_results(address, todo, options.policy, options.task_ids)
        return
    if options.workers <= 0:
        raise ValueError("workers must be at least 1")
    from quiz.batch.pool import LocalPool

    pool: LocalPool | None = None

    def results_of(todo: Sequence[Candidate]) -> Iterator[CandidateResult]:
        if todo and pool is not None:
            yield from pool.imap_unordered(todo, options.policy, options.task_ids)

    try:
        pool = LocalPool(min(options.workers, count)) if count else None
        yield results_of
    finally:
        if pool is not None:
            pool.close()


def _progress(results: Iterator[CandidateResult], total: int, show: bool) -> Iterator[CandidateResult]:
    if not show or total == 0:
        yield from results
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=Console(stderr=True), redirect_stdout=False) as bar:
        task = bar.add_task("grading", total=total)
        for result in results:
            bar.advance(task)
            yield result
