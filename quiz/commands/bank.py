"""`nnprep bank validate [PATH...]` and `nnprep bank stats`: check deck files and count the question bank."""

from __future__ import annotations

import argparse
import json
from typing import Any

VALIDATE_EPILOG = """\
Without PATH: the built-in bank, the --deck folders, the user deck folder and the coding tasks' texts.
With PATH (deck files or folders): those decks, loaded beside the built-in bank so duplicate ids are caught.
Each problem is printed as `file: item id: field: message`.
Warnings (`warning: file: -: choices: ...`) flag a deck whose multiple-choice keys give the answer away: more
than 40% of its single-answer keys in one position, the key the longest choice in more than 40% of them, or more
than 40% of its multi-answer items keyed on their first choices.
Exit status: 0 no problems (warnings allowed unless --strict), 1 problems found, 2 a PATH does not exist."""


def register(sub: Any) -> None:
    bank = sub.add_parser(
        "bank",
        help="validate deck files and show question-bank statistics",
        description="Validate deck files and show statistics of the question bank.",
    )
    bank_sub = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)

    validate = bank_sub.add_parser(
        "validate",
        help="check decks against the schema (exit 1 on any problem)",
        description="Check deck files against the question schema and report every problem.",
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help="deck file or folder (default: all decks)")
    validate.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    validate.set_defaults(handler=run_validate)

    stats = bank_sub.add_parser(
        "stats",
        help="count items by topic, type and difficulty",
        description="Count the question bank's items (built-in, --deck folders and user decks) by topic, type "
        "and difficulty.",
    )
    stats.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    stats.set_defaults(handler=run_stats)


def run_validate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from questions.key_balance import key_balance_warnings
    from questions.loader import load_bank, task_texts_with_problems
    from quiz.cli import EXIT_FAILED, EXIT_OK, CliError

    paths = [Path(p) for p in args.paths]
    for p in paths:
        if not p.exists():
            raise CliError(f"no such file or folder: {p}")
    if paths:
        bank = load_bank(paths, include_user_dir=False)
        problems = list(bank.problems)
        tasks_note = ""
    else:
        bank = load_bank(args.deck)
        texts, task_problems = task_texts_with_problems()
        problems = list(bank.problems) + task_problems
        tasks_note = f", {len(texts)} task texts"
    warnings = key_balance_warnings(bank)
    for problem in problems:
        print(problem)
    for warning in warnings:
        print(f"warning: {warning}")
    files = len(bank.files)
    warned = f", {_plural(len(warnings), 'warning')}" if warnings else ""
    if problems:
        print(f"{_plural(len(problems), 'problem')} found ({len(bank)} valid items in {files} deck files{tasks_note})"
              f"{warned}")
        return EXIT_FAILED
    print(f"ok: {len(bank)} items in {files} deck files{tasks_note}, no problems{warned}")
    return EXIT_FAILED if warnings and args.strict else EXIT_OK


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def run_stats(args: argparse.Namespace) -> int:
    import sys

    from questions.loader import load_bank
    from questions.schema import TOPICS

    bank = load_bank(args.deck)
    stats: dict[str, Any] = bank.stats()
    stats["problems"] = len(bank.problems)
    if args.format == "json":
        print(json.dumps(stats, indent=2))
    else:
        total = stats["total"] or 1
        print(f"{stats['total']} items: {stats['auto_gradable']} auto-gradable "
              f"({100 * stats['auto_gradable'] / total:.0f}%), {stats['parameterised']} parameterised")
        print("\nby type:       " + ", ".join(f"{k} {v}" for k, v in stats["by_type"].items()))
        print("by difficulty: " + ", ".join(f"{k} {v}" for k, v in stats["by_difficulty"].items()))
        print("\nby topic:")
        width = max(len(t) for t in TOPICS.values())
        for key, title in TOPICS.items():
            print(f"  {title:<{width}}  {stats['by_topic'][key]:>4}")
    if bank.problems:
        print(f"nnprep: {len(bank.problems)} deck problems (see `nnprep bank validate`)", file=sys.stderr)
    return 0
