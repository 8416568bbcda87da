"""`nnprep stats`, `nnprep export PATH`, `nnprep import PATH`: progress figures and moving progress between machines.

All three use the database chosen by ``--db PATH`` > ``$NNPREP_DB`` > the user data dir.
Exit status: 0 ok, 2 bad usage or unreadable input (missing/invalid file, unusable database), 3 internal error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quiz.progress_stats import ProgressStats
    from quiz.store import Store


def register(sub: Any) -> None:
    """Add the stats, export and import commands."""
    p = sub.add_parser("stats", help="show progress: mastery per topic, streak, due reviews, tasks, mocks",
                       description="Print progress figures. Exit status: 0 ok, 2 unusable database.")
    p.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    p.set_defaults(handler=stats_command)

    p = sub.add_parser("export", help="write all progress to a JSON file",
                       description="Write all progress (attempts, reviews, drafts, reports, sessions) as JSON. "
                                   "Use '-' for standard output. Exit status: 0 ok, 2 cannot write.")
    p.add_argument("path", metavar="PATH", help="output file (.json), or - for stdout")
    p.set_defaults(handler=export_command)

    p = sub.add_parser("import", help="merge progress from a JSON export (idempotent)",
                       description="Merge an export into the database. Importing the same file twice changes "
                                   "nothing; for an item reviewed on both sides the most recent review wins. "
                                   "Exit status: 0 ok, 2 missing or invalid file.")
    p.add_argument("path", metavar="PATH", help="a file written by `nnprep export`")
    p.add_argument("--format", choices=("text", "json"), default="text", help="summary format")
    p.set_defaults(handler=import_command)


def open_store(args: argparse.Namespace) -> Store:
    """The store chosen by --db / NNPREP_DB / the default, or a one-line CliError."""
    from quiz.cli import CliError
    from quiz.store import Store, StoreError

    try:
        return Store(getattr(args, "db", None))
    except StoreError as e:
        raise CliError(str(e)) from None


@contextmanager
def _store_errors() -> Iterator[None]:
    """Turn a StoreError raised while using the store into a one-line CliError."""
    from quiz.cli import CliError
    from quiz.store import StoreError

    try:
        yield
    except StoreError as e:
        raise CliError(str(e)) from None


def _topic_mappings(decks: Sequence[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """(item id -> topic, task id -> topic) from the bank (plus ``--deck`` folders); empty when the loaders are
    missing or fail: the figures that need no topics are still worth showing."""
    items: dict[str, str] = {}
    tasks: dict[str, str] = {}
    try:
        import questions

        load_bank = getattr(questions, "load_bank", None)
        if load_bank is not None:
            bank = load_bank(list(decks)) if decks else load_bank()
            entries = bank.values() if isinstance(bank, dict) else getattr(bank, "items", bank)
            if callable(entries):
                entries = entries()
            for item in entries:
                items[str(item.id)] = str(item.topic)
    except Exception:  # the bank is someone else's; stats still work without topics
        items = {}
    try:
        import questions

        load_task_texts = getattr(questions, "load_task_texts", None)
        if load_task_texts is not None:
            texts = load_task_texts()
            entries = texts.values() if isinstance(texts, dict) else texts
            for task in entries:
                tasks[str(task.id)] = str(task.topic)
    except Exception:
        tasks = {}
    return items, tasks


def _pct(value: float | None) -> str:
    return "  –" if value is None else f"{round(100 * value):3d}%"


def format_stats(stats: ProgressStats) -> str:
    """A readable summary of the figures."""
    lines = [
        f"Attempts: {stats.total_attempts}   Items reviewed: {stats.items_reviewed}/{stats.items_total}   "
        f"Streak: {stats.streak_days} day{'s' if stats.streak_days != 1 else ''} (longest "
        f"{stats.longest_streak_days}){'' if stats.active_today or not stats.streak_days else ' - practise today'}",
        f"Due now: {stats.due_now}   Next {len(stats.due_next_days)} days: "
        + " ".join(f"{d.day[5:]}:{d.count}" for d in stats.due_next_days),
    ]
    if stats.leeches:
        shown = ", ".join(stats.leeches[:5]) + (" …" if len(stats.leeches) > 5 else "")
        lines.append(f"Leeches ({len(stats.leeches)}): {shown}")
    active = [t for t in stats.topics if t.attempts or t.items_reviewed]
    if active:
        lines += ["", f"{'Topic':<36} {'correct':>7} {'recent':>6} {'trend':>6} {'recall':>6} {'due':>4}"]
        for t in active:
            trend = "     –" if t.trend is None else f"{round(100 * t.trend):+5d}%"
            lines.append(f"{t.label[:36]:<36} {_pct(t.share_correct):>7} {_pct(t.recent_share):>6} {trend:>6} "
                         f"{_pct(t.recall):>6} {t.due_now:>4}")
    lines += ["", f"Coding tasks solved: {stats.tasks_solved}/{stats.tasks_total}"]
    for task_topic in stats.tasks_by_topic:
        if task_topic.total:
            lines.append(f"  {task_topic.label[:36]:<36} {task_topic.solved}/{task_topic.total}")
    if stats.mock_scores:
        lines += ["", "Mock interviews:"]
        for m in stats.mock_scores[-10:]:
            lines.append(f"  {m.ended_at.date().isoformat()}  {m.preset:<20} {_pct(m.score)}")
    week = stats.activity[-7:]
    lines += ["", "Last 7 days: " + " ".join(f"{d.day[5:]}:{d.count}" for d in week)]
    return "\n".join(lines)


def stats_command(args: argparse.Namespace) -> int:
    """Print the progress figures."""
    from quiz.progress_stats import compute_stats

    items, tasks = _topic_mappings(getattr(args, "deck", None) or ())
    now = datetime.now(UTC)
    local_tz = datetime.now().astimezone().tzinfo or UTC
    with _store_errors(), open_store(args) as store:
        stats = compute_stats(store, items, tasks, now, tz=local_tz)
    if args.format == "json":
        print(stats.model_dump_json(indent=2))
    else:
        print(format_stats(stats))
    return 0


def export_command(args: argparse.Namespace) -> int:
    """Write all progress as JSON (atomically: a temporary file renamed into place)."""
    from quiz.cli import CliError
    from quiz.output_paths import output_problem

    path = Path(args.path).expanduser()
    if args.path != "-" and (problem := output_problem(path)):
        raise CliError(problem)
    with _store_errors(), open_store(args) as store:
        text = store.export_data().model_dump_json(indent=1)
    if args.path == "-":
        sys.stdout.write(text + "\n")
        return 0
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise CliError(f"{path}: cannot write: {e.strerror}") from None
    print(f"exported progress to {path}", file=sys.stderr)
    return 0


def import_command(args: argparse.Namespace) -> int:
    """Merge an export into the database, once every item of it has been checked."""
    from quiz.cli import CliError
    from quiz.store import ImportFormatError
    from quiz.store.importing import read_export

    path = Path(args.path).expanduser()
    try:
        data = read_export(path)
    except ImportFormatError as e:
        raise CliError(f"{path}: {e}") from None
    with _store_errors(), open_store(args) as store:
        summary = store.import_data(data)
    counts = dataclasses.asdict(summary)
    if args.format == "json":
        print(json.dumps({"path": str(path), "added_or_updated": counts, "total": summary.total}))
    else:
        parts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v)
        print(f"imported {path}: {parts or 'nothing new'}")
    return 0
