"""`nnprep grade PATH...` (one submission or folders of candidates) and `nnprep policy init`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine import GradeReport
    from quiz.batch.candidates import Candidate


def register(sub: Any) -> None:
    p = sub.add_parser(
        "grade",
        help="grade a submission, or folders of candidates' submissions",
        description=(
            "Grade .py submissions in the sandbox. PATH is a candidate's .py file or a folder of candidates (each "
            "a .py file, or a sub-folder holding one; the id is the file or folder name). Without --task or a "
            "policy, each file is graded on the tasks whose every function it defines. A file's tasks together "
            "take at most 3 x the total time limit. Hidden cases come from a fresh secret seed at every grade "
            "(kept as \"seed\" in the JSON output); --seed re-grades with the same cases. With --out, results are "
            "written as each candidate finishes and a re-run skips candidates already graded (unless --force). "
            "Exit status: 0 all passed, 1 graded and not all passed, 2 bad usage or unreadable input, "
            "3 internal error."
        ),
    )
    p.add_argument("paths", metavar="PATH", nargs="+", help="a .py file or a folder of candidates")
    p.add_argument("--task", dest="tasks", metavar="ID", action="append", default=[], help="task id (repeatable)")
    p.add_argument("--format", choices=("text", "json", "jsonl", "csv", "junit", "gradescope"), default="text")
    p.add_argument(
        "--out", metavar="FILE", type=Path, help="write results here (gradescope, many candidates: a folder)"
    )
    p.add_argument("--workers", type=int, metavar="N", help="parallel graders (default: number of CPUs)")
    p.add_argument("--policy", type=Path, metavar="FILE", help="grading policy TOML (`nnprep policy init`)")
    p.add_argument("--reports", type=Path, metavar="DIR", help="also write a Markdown summary per candidate")
    p.add_argument("--force", action="store_true", help="regrade candidates already in --out")
    p.add_argument("--dask", metavar="ADDRESS", help="grade on a dask.distributed scheduler (nnprep[dask])")
    p.add_argument("--time-limit", type=float, metavar="S", help="wall seconds per call (default 2)")
    p.add_argument("--memory-limit", type=int, metavar="MB", help="memory limit of the child in MiB (default 1024)")
    p.add_argument("--seed", type=int, metavar="N", help="draw hidden cases from this seed (a report's \"seed\")")
    p.add_argument(
        "--reveal-hidden", action="store_true",
        help="show hidden cases' inputs, expected values, and the code's output and errors during them in reports",
    )
    from quiz.commands.pack import add_pack_option

    add_pack_option(p)
    p.set_defaults(handler=grade_command)

    pol = sub.add_parser("policy", help="grading policy files", description="Grading policy files.")
    pol_sub = pol.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    init = pol_sub.add_parser("init", help="write a commented example policy")
    init.add_argument("path", metavar="FILE", type=Path, nargs="?", default=Path("policy.toml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(handler=policy_init)


def policy_init(args: argparse.Namespace) -> int:
    from quiz.batch.policy import EXAMPLE
    from quiz.cli import CliError
    from quiz.output_paths import output_problem

    problem = output_problem(args.path)  # a FIFO would block the write; a path stat() cannot look at would raise
    if problem:
        raise CliError(problem)
    if args.path.exists() and not args.force:
        raise CliError(f"{args.path} exists; use --force to overwrite it")
    try:
        args.path.write_text(EXAMPLE, encoding="utf-8")
    except OSError as e:
        raise CliError(f"{args.path}: cannot write: {e.strerror or e}") from None
    print(f"wrote {args.path}")
    return 0


def _policy(args: argparse.Namespace) -> Any:
    from quiz.batch.policy import Policy, PolicyError, PolicyTask, load_policy
    from quiz.cli import CliError

    try:
        policy = load_policy(args.policy) if args.policy else Policy()
        if args.tasks:
            policy = policy.model_copy(
                update={"tasks": [PolicyTask(id=t, weight=policy.weight(t)) for t in args.tasks]}
            )
    except PolicyError as e:
        raise CliError(str(e)) from None
    except ValueError as e:
        raise CliError(str(e).splitlines()[-1].strip() if str(e) else "invalid --task") from None
    if args.seed is not None:
        policy = policy.model_copy(update={"seed": args.seed})
    if args.reveal_hidden:
        policy = policy.model_copy(update={"reveal_hidden": True})
    limits = policy.limits
    _check_limit_options(args)
    if args.time_limit is not None:
        limits = limits.model_copy(update={"time_limit": args.time_limit})
    if args.memory_limit is not None:
        limits = limits.model_copy(update={"memory_mb": args.memory_limit})
    return policy.model_copy(update={"limits": limits})


def _check_limit_options(args: argparse.Namespace) -> None:
    from quiz.cli import CliError

    if args.time_limit is not None and not 0 < args.time_limit < float("inf"):
        raise CliError("--time-limit must be a positive number of seconds")
    if args.memory_limit is not None and args.memory_limit < 64:
        raise CliError("--memory-limit must be at least 64 MB")
    if args.seed is not None and not 0 <= args.seed < 2**63:
        raise CliError("--seed must be a whole number from 0 to 2**63 - 1")


def _unknown_tasks(task_ids: list[str]) -> None:
    from engine.tasks import is_known
    from quiz.cli import CliError

    for t in task_ids:
        if not is_known(t):
            raise CliError(f"unknown task {t!r}; `nnprep tasks` lists them")


def grade_command(args: argparse.Namespace) -> int:
    if len(args.paths) == 1 and os.path.isfile(args.paths[0]) and not args.dask:
        # One file is graded here: start the sandbox's zygote now, so its start overlaps our own imports. (A batch
        # grades in worker processes, each with its own zygote.)
        from engine.sandbox import prestart

        prestart()
    from quiz.batch.candidates import OutputIsASubmission, discover
    from quiz.cli import CliError

    if args.pack:
        from quiz.commands.pack import load_pack_texts, qualify

        if args.dask:
            raise CliError("--pack cannot be used with --dask (the workers would not have the pack's code)")
        pack, _ = load_pack_texts(args.pack)
        args.tasks = qualify(pack, args.tasks)
    _unknown_tasks(args.tasks)
    paths = [Path(p) for p in args.paths]
    try:
        candidates = discover(paths, outputs=[args.out, args.reports])  # inside the folder on a re-run, say
    except OutputIsASubmission as e:
        raise CliError(str(e)) from None
    single = len(paths) == 1 and not os.path.isdir(paths[0])
    if single and args.out is None and args.format in ("text", "json") and not args.reports and not args.dask:
        return _grade_one(candidates[0], args)
    policy = _policy(args)
    if not candidates:
        raise CliError(f"no candidates found in {', '.join(args.paths)}")
    return _grade_batch(candidates, policy, args)


def _limits(args: argparse.Namespace) -> Any:
    """The engine's limits with --time-limit and --memory-limit applied (no policy file)."""
    from engine import Limits

    _check_limit_options(args)
    given = {"time_limit": args.time_limit, "memory_mb": args.memory_limit}
    return Limits(**{k: v for k, v in given.items() if v is not None})


def _grade_one(candidate: Candidate, args: argparse.Namespace) -> int:
    """One file to the terminal: the report as text, or one JSON object per task."""
    from engine import Verdict, grade_file
    from engine.report import report_data
    from quiz.batch.candidates import tasks_defined
    from quiz.cli import CliError

    if candidate.error or candidate.source is None:
        raise CliError(candidate.error or f"{candidate.shown}: no source")
    if args.policy:
        policy = _policy(args)
        task_ids = [t.id for t in policy.tasks] or tasks_defined(candidate.source)
        limits, reveal, seed = policy.engine_limits(), policy.reveal_hidden, policy.seed
    else:
        task_ids = list(args.tasks) or tasks_defined(candidate.source)
        limits, reveal, seed = _limits(args), args.reveal_hidden, args.seed
    if not task_ids:
        raise CliError(
            f"{candidate.shown} defines every function of no task; give --task ID (`nnprep tasks` lists them)"
        )
    reports = grade_file(candidate.source, task_ids, limits, reveal_hidden=reveal, seed=seed)
    if args.format == "json":
        payload: Any = (
            report_data(reports[0])
            if len(reports) == 1
            else {"file": candidate.shown, "reports": [report_data(r) for r in reports]}
        )
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for r in reports:
            print(format_report(r))
    if any(r.verdict is Verdict.INTERNAL_ERROR for r in reports):
        return 3
    return 0 if all(r.passed for r in reports) else 1


def _grade_batch(candidates: list[Candidate], policy: Any, args: argparse.Namespace) -> int:
    from quiz.batch.run import BatchOptions, run_batch
    from quiz.cli import CliError
    from quiz.output_paths import output_problem

    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise CliError("--workers must be at least 1")
    outputs = ((args.out, args.format == "gradescope" and len(candidates) > 1), (args.reports, True))
    for path, is_folder in outputs:
        if path is not None and (problem := output_problem(path, folder=is_folder)):
            raise CliError(problem)
    options = BatchOptions(
        task_ids=[t.id for t in policy.tasks],
        workers=workers,
        out=args.out,
        fmt=args.format,
        force=args.force,
        reports_dir=args.reports,
        policy=policy,
        dask=args.dask,
        progress=sys.stderr.isatty(),
    )
    try:
        results, skipped = run_batch(candidates, options)
    except KeyboardInterrupt:
        print("nnprep: interrupted; finished candidates are saved, re-run to continue", file=sys.stderr)
        return 130
    except RuntimeError as e:
        raise CliError(str(e), status=2 if args.dask else 3) from None
    if args.out is None:
        from quiz.batch.run import OutputWriter

        writer = OutputWriter(options, [c.id for c in candidates], len(candidates) > 1)
        writer.results = {r.candidate: r for r in results}
        sys.stdout.write(writer.render())
    else:
        graded = len(results) - skipped
        print(f"{graded} graded, {skipped} already done, written to {args.out}", file=sys.stderr)
    if any(r.verdict.value == "internal_error" for res in results for r in res.reports):
        return 3
    return 0 if results and all(r.passed for r in results) else 1


def format_report(report: GradeReport) -> str:
    """A report as text a person reads in a terminal. Text the candidate controls (messages quoting exceptions,
    diagnoses, printed output) passes ``for_terminal``: no escape sequence reaches the terminal and a multi-line
    message stays indented under its case, so it cannot overwrite or forge a verdict line."""
    from engine import get_task
    from engine.untrusted_text import for_terminal

    task = get_task(report.task)
    lines = [
        f"{report.task}: {task.title}",
        f"  verdict {report.verdict.value}   score {report.score:.1f}/{report.max_score:.0f}   "
        f"({report.seconds:.2f} s) — {for_terminal(report.message, '      ')}",
    ]
    for case in report.cases:
        mark = "✓" if case.verdict.value == "passed" else "✗"
        where = "example" if case.visible else "hidden"
        err = f"rel err {case.rel_error:.2g}" if case.rel_error is not None else ""
        lines.append(f"  {mark} {for_terminal(case.name):<28} {where:<7} {case.verdict.value:<22} {err}")
        if case.verdict.value != "passed" and case.message:
            lines.append("      " + for_terminal(case.message, "        "))
    if report.diagnoses:
        lines.append("  what went wrong:")
        lines.extend("  - " + for_terminal(d, "    ") for d in report.diagnoses)
    if report.stdout.strip():
        lines.append("  output of your code:")
        lines.extend(printed_output(report.stdout))
    lines.extend(f"  {line}" for line in report.isolation.lines())
    return "\n".join(lines)


SHOWN_OUTPUT_CHARS = 4000
SHOWN_OUTPUT_LINES = 40


def printed_output(stdout: str) -> list[str]:
    """What the candidate printed, as terminal-safe lines behind a ``|`` gutter (so no printed line can pass for one
    of ours), capped to a few KB and lines with a note of how much was left out."""
    from engine.untrusted_text import for_terminal

    text = stdout.strip()
    lines = text[:SHOWN_OUTPUT_CHARS].splitlines(keepends=True)[:SHOWN_OUTPUT_LINES]
    shown = ["    | " + for_terminal(line.rstrip("\r\n")) for line in lines]
    left = len(text) - sum(len(line) for line in lines)
    if left > 0:
        shown.append(f"    ({left} more characters not shown; --format json has the captured output)")
    return shown
