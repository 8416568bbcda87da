"""`nnprep grade FILE`: grade a submission file in the sandbox and print the report."""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine import GradeReport

MAX_SOURCE_BYTES = 1_000_000


def register(sub: Any) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a submission file against one or more tasks",
        description=(
            "Grade a .py file in the sandbox. Without --task, grades every task whose functions the file defines. "
            "Exit status: 0 passed, 1 graded and not passed, 2 bad usage or unreadable input, 3 internal error."
        ),
    )
    p.add_argument("file", metavar="FILE", help="the submission (.py)")
    p.add_argument("--task", dest="tasks", metavar="ID", action="append", default=[], help="task id (repeatable)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--time-limit", type=float, metavar="S", help="wall seconds per call (default 2)")
    p.add_argument("--memory-limit", type=int, metavar="MB", help="memory limit of the child in MiB (default 1024)")
    p.set_defaults(handler=grade_command)


def read_source(path: Path) -> str:
    """The submission's text, or a one-line CliError for anything unreadable."""
    from quiz.cli import CliError

    try:
        if not path.is_file():
            raise CliError(f"{path}: no such file")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise CliError(f"{path}: {path.stat().st_size} bytes is too large for a submission (limit 1 MB)")
        data = path.read_bytes()
    except OSError as e:
        raise CliError(f"{path}: cannot read: {e.strerror}") from None
    if b"\0" in data:
        raise CliError(f"{path}: is a binary file, not Python source")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CliError(f"{path}: is not UTF-8 text") from None


def defined_names(source: str) -> set[str]:
    """Top-level function (and assigned) names, found by parsing only: the file is never executed here."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def tasks_for(source: str) -> list[str]:
    """Tasks any of whose functions the source defines (all tasks if it cannot be parsed)."""
    from engine import all_tasks

    names = defined_names(source)
    chosen = [t.id for t in all_tasks() if any(f.name in names for f in t.functions)]
    return chosen


def grade_command(args: argparse.Namespace) -> int:
    from quiz.cli import CliError

    source = read_source(Path(args.file))
    from engine import TASK_IDS, Limits, Verdict, grade

    for t in args.tasks:
        if t not in TASK_IDS:
            raise CliError(f"unknown task {t!r}; `nnprep tasks` lists them")
    limits = Limits()
    if args.time_limit is not None:
        if args.time_limit <= 0:
            raise CliError("--time-limit must be positive")
        limits = limits.model_copy(update={"time_limit": args.time_limit})
    if args.memory_limit is not None:
        if args.memory_limit < 64:
            raise CliError("--memory-limit must be at least 64 MB")
        limits = limits.model_copy(update={"memory_mb": args.memory_limit})
    task_ids = args.tasks or tasks_for(source)
    if not task_ids:
        try:
            compile(source, args.file, "exec", flags=ast.PyCF_ONLY_AST)
        except SyntaxError as e:
            raise CliError(f"{args.file}: syntax error at line {e.lineno}: {e.msg}; give --task to grade it") from None
        raise CliError(f"{args.file} defines no task's functions; give --task ID (`nnprep tasks` lists them)")
    reports = [grade(source, t, limits) for t in task_ids]
    if args.format == "json":
        payload: Any = (
            reports[0].model_dump(mode="json")
            if len(reports) == 1
            else {"file": args.file, "reports": [r.model_dump(mode="json") for r in reports]}
        )
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for r in reports:
            print(format_report(r))
    if any(r.verdict is Verdict.INTERNAL_ERROR for r in reports):
        return 3
    return 0 if all(r.passed for r in reports) else 1


def format_report(report: GradeReport) -> str:
    """A report as text a person reads in a terminal."""
    from engine import get_task

    task = get_task(report.task)
    lines = [
        f"{report.task}: {task.title}",
        f"  verdict {report.verdict.value}   score {report.score:.1f}/{report.max_score:.0f}   "
        f"({report.seconds:.2f} s) — {report.message}",
    ]
    for case in report.cases:
        mark = "✓" if case.verdict.value == "passed" else "✗"
        where = "example" if case.visible else "hidden"
        err = f"rel err {case.rel_error:.2g}" if case.rel_error is not None else ""
        lines.append(f"  {mark} {case.name:<28} {where:<7} {case.verdict.value:<22} {err}")
        if case.verdict.value != "passed" and case.message:
            lines.append(f"      {case.message}")
    if report.diagnoses:
        lines.append("  what went wrong:")
        lines.extend(f"  - {d}" for d in report.diagnoses)
    if report.stdout.strip():
        lines.append("  output of your code (truncated):")
        lines.extend(f"    {line}" for line in report.stdout.strip().splitlines()[:20])
    lines.append(f"  sandbox: {report.isolation.summary()}")
    return "\n".join(lines)
