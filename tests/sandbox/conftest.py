"""Fixtures for the sandbox tests: one shared Sandbox per module, and checks that nothing was left behind."""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Limits, Verdict, get_task, grade
from engine.report import GradeReport, report_data
from engine.runner import RunResult
from engine.sandbox import Sandbox

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
CORRECT = (SUBMISSIONS / "linear" / "correct_reference.py").read_text()
# Short limits keep the hostile cases quick; each case still gets a generous wall-clock bound in its assertion.
FAST = Limits(time_limit=1.0, total_time_limit=8.0)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


def zygote_pid(sb: Sandbox) -> int:
    """The serving zygote's pid (as an ordinary user it is a child of the launched process: see _protections)."""
    proc = sb._proc
    assert proc is not None
    sb.isolation  # noqa: B018  (waits for the zygote's hello)
    return int((sb._hello or {}).get("pid") or proc.pid)


def descendants(pid: int) -> list[int]:
    """Processes whose parent chain leads to ``pid`` (the zygote is a subreaper, so orphans stay below it)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, pp in parents.items() if pp == current]
        found.extend(children)
        frontier.extend(children)
    return found


def assert_clean(sb: Sandbox) -> None:
    """No process below the zygote and no run dir left once ``run`` has returned."""
    if Path("/proc/self/stat").exists():
        left = descendants(zygote_pid(sb))
        if left:  # a killed process may take a moment to be reaped by the kernel
            time.sleep(0.5)
            left = descendants(zygote_pid(sb))
        assert left == [], f"processes left behind: {left}"
    assert os.listdir(sb._base) == [], "a run's temp dir was left behind"


def assert_next_ok(sb: Sandbox) -> None:
    """The sandbox still grades a correct submission after whatever the previous one did."""
    report = grade(CORRECT, "linear", runner=sb)
    assert report.verdict is Verdict.PASSED, report_data(report)
    assert_clean(sb)


CORRECT_FUNCS = """
def linear_forward(x, W, b):
    return x @ W.T + b

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
"""

WRONG_FUNCS = """
def linear_forward(x, W, b):
    return x @ W.T

def linear_backward(dy, x, W, b):
    return dy @ W, x.T @ dy, dy.sum(axis=0)
"""

SPIN = """
import time as _t
def _spin():
    _end = _t.monotonic() + 30
    while _t.monotonic() < _end:
        pass
"""


def src(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


def graded(sb: Sandbox, source: str, limits: Limits = FAST, bound: float = 15.0) -> GradeReport:
    started = time.monotonic()
    report = grade(source, "linear", limits, runner=sb)
    elapsed = time.monotonic() - started
    assert elapsed < bound, f"took {elapsed:.1f} s"
    return report


def ran(sb: Sandbox, source: str, limits: Limits = FAST, bound: float = 15.0) -> RunResult:
    task = get_task("linear")
    calls = [c for case in task.cases() for c in case.calls]
    started = time.monotonic()
    result = sb.run(source, calls, [f.name for f in task.functions], limits)
    assert time.monotonic() - started < bound
    return result


def finish(sb: Sandbox) -> None:
    assert_clean(sb)
    assert_next_ok(sb)
