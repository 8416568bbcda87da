"""Grade our known submissions on many hidden-case seeds quickly: is every task's generator sound for any seed?

A grade's verdict is PASSED only if every case passes. For one task and a list of seeds, this draws each seed's
hidden cases once (their reference outputs are then shared by every submission) and judges the known submissions
(tests/submissions/<task>/) on them, in-process (trusted test code only, see tests/support/inprocess.py): a correct
submission must pass every case of every seed, a wrong one must fail some case of every seed.

The work is cut where the verdict is already settled. The visible examples do not depend on the seed, so each
submission is judged on them once, and a wrong submission that fails one is rejected on every seed (its hidden
cases need not run, unless ``hidden_too``); a wrong submission stops at its first failing hidden case; detectors
are switched off (they name mistakes, they never change a verdict) and values are not collected.

Offline, to look for rare unsound seeds (``--hidden-too`` also lists the wrong submissions that only a visible
example catches on some seed)::

    PYTHONPATH=. .venv/bin/python -m tests.support.any_seed --seeds 3000 [TASK ...]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.judge import judge_case
from engine.limits import Limits
from engine.report import Verdict
from engine.task import Case, Task
from engine.tasks import TASK_IDS, get_task
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"


@dataclass
class Flips:
    """Seeds on which a known submission got the wrong verdict, by submission file stem."""

    task: str
    seeds: int = 0
    accepted_wrong: dict[str, list[int]] = field(default_factory=dict)
    rejected_right: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    only_visible_catches: list[str] = field(default_factory=list)  # wrong ones no hidden case catches, on some seed

    @property
    def none(self) -> bool:
        return not self.accepted_wrong and not self.rejected_right


@contextlib.contextmanager
def _no_detectors(task: Task) -> Iterator[None]:
    saved = task.detectors
    task.detectors = {}
    try:
        yield
    finally:
        task.detectors = saved


_LIMITS = Limits()


def _fails(task: Task, case: Case, source: str, runner: InProcessRunner) -> str | None:
    """None if the case passes, else its verdict and message."""
    run = runner.run(source, case.calls, [f.name for f in task.functions], _LIMITS)
    if run.fatal_verdict is not None:
        return f"{run.fatal_verdict.value}: {run.fatal_message}"
    result = judge_case(task, case, run.calls, 1.0)
    return None if result.verdict is Verdict.PASSED else f"{result.verdict.value} {case.name}: {result.message}"


def check_seeds(
    task_id: str, seeds: Iterable[int], files: Sequence[Path] | None = None, hidden_too: bool = False
) -> Flips:
    """Judge the task's known submissions (or ``files``) on the hidden cases of every seed; the flips found."""
    task = get_task(task_id)
    paths = sorted((SUBMISSIONS / task_id).glob("*.py")) if files is None else list(files)
    sources = {p.stem: p.read_text() for p in paths}
    runner = InProcessRunner()
    flips = Flips(task_id)
    visible = [c for c in task.cases() if c.visible]
    with _no_detectors(task), np.errstate(all="ignore"):
        caught_by_visible = {
            name for name, src in sources.items() if any(_fails(task, c, src, runner) for c in visible)
        }
        for name in caught_by_visible:
            if name.startswith("correct"):
                flips.rejected_right.setdefault(name, []).append((-1, "a visible example fails"))
        to_run = {n: src for n, src in sources.items() if hidden_too or n not in caught_by_visible}
        for seed in seeds:
            flips.seeds += 1
            hidden = [c for c in task.cases(seed) if not c.visible]
            for name, src in to_run.items():
                wrong = name.startswith("wrong")
                failure = next((f for c in hidden if (f := _fails(task, c, src, runner))), None)
                if wrong and failure is None:
                    if name in caught_by_visible:
                        if name not in flips.only_visible_catches:
                            flips.only_visible_catches.append(name)
                    else:
                        flips.accepted_wrong.setdefault(name, []).append(seed)
                elif not wrong and failure is not None:
                    flips.rejected_right.setdefault(name, []).append((seed, failure))
    return flips


def _main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description="Grade the known submissions on many hidden-case seeds.")
    parser.add_argument("tasks", nargs="*", default=list(TASK_IDS))
    parser.add_argument("--seeds", type=int, default=1000)
    parser.add_argument("--first", type=int, default=10_000, help="first seed (the suite uses 0 to 199)")
    parser.add_argument("--hidden-too", action="store_true", help="run hidden cases of visibly wrong files too")
    args = parser.parse_args(argv)
    bad = 0
    for task_id in args.tasks:
        started = time.perf_counter()
        flips = check_seeds(task_id, range(args.first, args.first + args.seeds), hidden_too=args.hidden_too)
        took = time.perf_counter() - started
        print(f"{task_id}: {flips.seeds} seeds, {took:.1f} s", flush=True)
        for name, seeds in flips.accepted_wrong.items():
            print(f"  ACCEPTED WRONG {name} on {len(seeds)} seeds, e.g. {seeds[:5]}", flush=True)
        for name, found in flips.rejected_right.items():
            print(f"  REJECTED RIGHT {name} on {len(found)} seeds, e.g. {found[:3]}", flush=True)
        if flips.only_visible_catches:
            print(f"  only a visible example catches, on some seed: {flips.only_visible_catches}", flush=True)
        bad += not flips.none
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
