"""`nnprep pack new DIR` and `nnprep pack check DIR`, and the `--pack` option other commands share."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.packs import Pack
    from questions import TaskText


def register(sub: Any) -> None:
    pack = sub.add_parser(
        "pack",
        help="make and check task packs (a course's own coding tasks)",
        description="Task packs: a folder with pack.toml and the instructor's task modules (docs/packs.md). "
        "A pack's code runs in the grading process: use only packs you trust.",
    )
    pack_sub = pack.add_subparsers(dest="pack_command", metavar="ACTION", required=True)
    new = pack_sub.add_parser("new", help="write a working one-task pack to start from")
    new.add_argument("dir", metavar="DIR", type=Path)
    new.add_argument("--id", dest="pack_id", metavar="ID", help="the pack's id (default: from the folder's name)")
    new.set_defaults(handler=pack_new)
    check = pack_sub.add_parser(
        "check",
        help="validate a pack: gradients, case generators, solution, starters, known wrong submissions",
        description="Check every reference gradient against float64 finite differences, every case generator over "
        "many seeds, that each solution passes, each starter is rejected and each known wrong submission is "
        "rejected with its diagnosis. Exit status: 0 sound, 1 problems found, 2 the pack cannot be loaded.",
    )
    check.add_argument("dir", metavar="DIR", help="the pack's folder, or a shipped pack's name")
    check.add_argument("--seeds", type=int, default=50, metavar="N", help="seeds per case generator (default 50)")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(handler=pack_check)


def add_pack_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pack", metavar="DIR", help="use a task pack's tasks (a folder, or a shipped pack's name: cs231n)"
    )


def load_pack_texts(name: str) -> tuple[Pack, dict[str, TaskText]]:
    """Load the pack (its code is imported), make it the catalogue in use, and read its task texts by qualified
    id. Any problem is a CliError naming the file and field."""
    from engine.packs import PackError, load_pack, use_pack
    from questions.loader import load_task_file
    from quiz.cli import CliError

    try:
        pack = load_pack(name)
    except PackError as e:
        raise CliError(str(e)) from None
    texts: dict[str, TaskText] = {}
    for pt in pack.tasks:
        text, problems = load_task_file(pt.text_path)
        if problems:
            raise CliError(str(problems[0]))
        assert text is not None
        if text.id != pt.entry.id:
            raise CliError(f"{pt.text_path}: id: is {text.id!r}, pack.toml says {pt.entry.id!r}")
        texts[pt.task.id] = text.model_copy(update={"id": pt.task.id})  # the id the task is graded under
    use_pack(pack)
    return pack, texts


def qualify(pack: Pack, task_ids: list[str]) -> list[str]:
    """``--task`` ids given with a pack (``affine`` or ``cs231n.affine``) as the ids its tasks are graded under."""
    from quiz.cli import CliError

    out = []
    for t in task_ids:
        q = pack.qualified(t)
        if q is None:
            raise CliError(f"pack {pack.id} has no task {t!r}; `nnprep tasks --pack {pack.root}` lists them")
        out.append(q)
    return out


def pack_new(args: argparse.Namespace) -> int:
    from engine.packs import PackError
    from engine.packs.template import write_new_pack
    from quiz.cli import CliError

    try:
        written = write_new_pack(args.dir, args.pack_id)
    except PackError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"{args.dir}: cannot write: {e.strerror or e}") from None
    print(f"wrote {len(written)} files to {args.dir}; check it with: nnprep pack check {args.dir}")
    return 0


def pack_check(args: argparse.Namespace) -> int:
    from engine.packs.check import check_pack
    from quiz.cli import CliError

    if not 1 <= args.seeds <= 10_000:
        raise CliError("--seeds must be from 1 to 10000")
    pack, texts = load_pack_texts(args.dir)
    starters = {pt.entry.id: texts[pt.task.id].starter for pt in pack.tasks}
    findings = check_pack(pack, starters, seeds=args.seeds)
    if args.format == "json":
        rows = [{"task": f.task, "check": f.check, "ok": f.ok, "message": f.message} for f in findings]
        json.dump({"pack": pack.id, "ok": all(f.ok for f in findings), "checks": rows}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for f in findings:
            mark = "ok  " if f.ok else "FAIL"
            print(f"{mark} {f.task}: {f.check}" + (f" — {f.message}" if f.message else ""))
        bad = sum(not f.ok for f in findings)
        print(f"{pack.id}: {len(findings)} checks, {bad} failed")
    return 0 if all(f.ok for f in findings) else 1
