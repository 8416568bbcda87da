"""`nnprep mock` (list presets, start one in the app) and `nnprep report` (list and export mock reports)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    mock = sub.add_parser(
        "mock", help="timed mock interviews", description="List the mock-interview presets, or start one in the app."
    )
    mock.add_argument("--list", action="store_true", help="list the presets")
    mock.add_argument("--preset", metavar="NAME", help="phone_screen, onsite_fundamentals, lightning or custom")
    mock.add_argument("--seed", type=int, help="reproduce a draw")
    mock.add_argument("--minutes", type=int, default=20, help="custom preset: length in minutes")
    mock.add_argument("--items", type=int, default=6, help="custom preset: concept items")
    mock.add_argument("--coding", default="", help="custom preset: coding difficulties, e.g. easy,medium")
    mock.add_argument("--topics", default="", help="custom preset: topic keys, comma-separated (default all)")
    mock.add_argument("--format", choices=("text", "json"), default="text", help="how --list prints the presets")
    mock.set_defaults(handler=mock_command)

    report = sub.add_parser("report", help="mock-interview reports", description="List or export mock reports.")
    report.add_argument("id", metavar="ID", nargs="?", help="the mock session to export")
    report.add_argument("--list", action="store_true", help="list mock sessions")
    report.add_argument(
        "--format",
        choices=("text", "json", "md", "html"),
        default=None,
        help="export format (md, json, html); --list takes text or json",
    )
    report.add_argument("--out", type=Path, metavar="FILE", help="write the export here instead of stdout")
    report.set_defaults(handler=report_command)


def _preset(args: argparse.Namespace) -> Any:
    from quiz.cli import CliError
    from quiz.mock.presets import PresetError, custom_preset, get_preset

    try:
        if args.preset == "custom":
            coding = [c.strip() for c in args.coding.split(",") if c.strip()]
            topics = [t.strip() for t in args.topics.split(",") if t.strip()]
            return custom_preset(args.minutes, args.items, coding, topics)
        return get_preset(args.preset)
    except PresetError as e:
        raise CliError(str(e)) from None


def mock_command(args: argparse.Namespace) -> int:
    from quiz.cli import CliError
    from quiz.mock.presets import builtin_presets

    if args.list or not args.preset:
        presets = builtin_presets()
        if args.format == "json":
            print(json.dumps([p.model_dump() for p in presets.values()], indent=2))
            return 0
        for p in presets.values():
            coding = ", ".join(p.coding) or "none"
            print(f"{p.name:<20} {p.minutes:>3} min  {p.concept_items} concept items, coding: {coding}")
            print(f"{'':<20} {p.description}")
        print("custom               your own: --minutes, --items, --coding easy,medium, --topics a,b")
        return 0
    preset = _preset(args)
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise CliError("a mock interview runs in the app and needs a terminal")
    from quiz.app import run_app

    args.start_mock = (preset, args.seed)
    return run_app(args)


def _open_store(args: argparse.Namespace) -> Any:
    from quiz.cli import CliError
    from quiz.store import Store, StoreError

    try:
        return Store(getattr(args, "db", None))
    except StoreError as e:
        raise CliError(str(e)) from None


def report_command(args: argparse.Namespace) -> int:
    from quiz.cli import CliError
    from quiz.mock.export import render
    from quiz.mock.service import stored_report

    with _open_store(args) as store:
        if args.list or not args.id:
            sessions = store.mock_sessions()
            if args.format == "json":
                rows = [
                    {
                        "id": s.id,
                        "preset": s.preset,
                        "started_at": s.started_at.isoformat(),
                        "finished": s.finished,
                        "score": None if s.score is None else round(100 * s.score, 1),
                    }
                    for s in sessions
                ]
                print(json.dumps(rows, indent=2))
                return 0
            if not sessions:
                print("no mock interviews yet: `nnprep mock --list` shows the presets")
            for s in sessions:
                score = "unfinished" if s.score is None else f"{100 * s.score:5.1f} / 100"
                print(f"{s.id}  {s.started_at:%Y-%m-%d %H:%M}  {s.preset:<20} {score}")
            return 0
        report = stored_report(store, args.id)
        if report is None:
            stored = store.get_mock_session(args.id)
            what = "has no report yet (unfinished)" if stored else "does not exist; `nnprep report --list` lists them"
            raise CliError(f"mock session {args.id!r} {what}")
    fmt = args.format or "md"
    if fmt == "text":
        fmt = "md"
    text = render(report, fmt)
    if args.out:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"{args.out}: cannot write: {e.strerror or e}") from None
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
