"""`nnprep tasks` and `nnprep task starter|solution ID`: the coding-task catalogue."""

from __future__ import annotations

import argparse
import json
import shutil
import textwrap
from typing import Any


def register(sub: Any) -> None:
    tasks = sub.add_parser("tasks", help="list the coding tasks", description="List the coding tasks.")
    tasks.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="markdown: the README's task table"
    )
    from quiz.commands.pack import add_pack_option

    add_pack_option(tasks)
    tasks.set_defaults(handler=list_tasks)

    task = sub.add_parser(
        "task",
        help="print a task's starter file or reference solution",
        description="Print a coding task's starter file or its reference solution.",
    )
    task_sub = task.add_subparsers(dest="task_command", metavar="ACTION", required=True)
    starter = task_sub.add_parser("starter", help="print the starter file (signatures, docstrings with shapes)")
    starter.add_argument("task_id", metavar="ID")
    starter.set_defaults(handler=print_starter)
    solution = task_sub.add_parser("solution", help="print the reference solution, for study")
    solution.add_argument("task_id", metavar="ID")
    solution.set_defaults(handler=print_solution)


def _texts() -> dict[str, Any]:
    from questions import load_task_texts

    texts: dict[str, Any] = load_task_texts()
    return texts


def _require(task_id: str) -> None:
    from engine import TASK_IDS
    from quiz.cli import CliError

    if task_id not in TASK_IDS:
        raise CliError(f"unknown task {task_id!r}; `nnprep tasks` lists them")


def list_tasks(args: argparse.Namespace) -> int:
    from engine import all_tasks

    if args.pack:
        from quiz.commands.pack import load_pack_texts

        texts = load_pack_texts(args.pack)[1]
    else:
        texts = _texts()
    rows: list[dict[str, Any]] = []
    for task in all_tasks():
        text = texts.get(task.id)
        rows.append(
            {
                "id": task.id,
                "title": text.title if text else task.title,
                "topic": text.topic if text else None,
                "difficulty": text.difficulty if text else None,
                "minutes": text.minutes if text else None,
                "functions": [f.signature for f in task.functions],
                "cases": len(task.cases()),
                "visible_cases": sum(c.visible for c in task.cases()),
            }
        )
    if args.format == "json":
        print(json.dumps(rows, indent=2))
    elif args.format == "markdown":
        print(markdown_table(rows))
    else:
        print(text_table(rows, shutil.get_terminal_size().columns))
        print(f"{len(rows)} tasks")
    return 0


def text_table(rows: list[dict[str, Any]], columns: int) -> str:
    """The catalogue as aligned columns ID, LEVEL, TOPIC, TITLE; titles come last and wrap under themselves, so a
    long title never pushes the other columns out of line."""
    heads = ("ID", "LEVEL", "TOPIC")
    keys = ("id", "difficulty", "topic")
    widths = [max(len(h), *(len(str(r[k] or "")) for r in rows)) for h, k in zip(heads, keys, strict=True)]
    indent = sum(widths) + 2 * len(widths)
    wrap_at = max(20, columns - indent - 1)

    def line(cells: tuple[str, ...], title: str) -> list[str]:
        lead = "".join(f"{c:<{w}}  " for c, w in zip(cells, widths, strict=True))
        parts = textwrap.wrap(title, wrap_at) or [""]
        return [lead + parts[0]] + [" " * indent + p for p in parts[1:]]

    out = line(heads, "TITLE")
    for r in rows:
        out += line(tuple(str(r[k] or "") for k in keys), r["title"])
    return "\n".join(out)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The catalogue as the README's Markdown table (id, title, difficulty, topic, functions)."""
    out = ["| id | task | level | topic | functions |", "|---|---|---|---|---|"]
    for r in rows:
        names = ", ".join(f"`{sig.split('(')[0]}`" for sig in r["functions"])
        out.append(f"| `{r['id']}` | {r['title']} | {r['difficulty'] or ''} | {r['topic'] or ''} | {names} |")
    return "\n".join(out)


def print_starter(args: argparse.Namespace) -> int:
    from quiz.cli import CliError

    _require(args.task_id)
    text = _texts().get(args.task_id)
    if text is None:
        raise CliError(f"task {args.task_id!r} has no starter text", status=3)
    print(text.starter.rstrip())
    return 0


def print_solution(args: argparse.Namespace) -> int:
    from engine.solutions import reference_source

    _require(args.task_id)
    text = _texts().get(args.task_id)
    if text is not None:
        print('"""' + text.solution_notes.strip() + '\n"""\n')
    print(reference_source(args.task_id).rstrip())
    return 0
