"""Fixtures for the sandbox tests: one shared Sandbox per module, and checks that nothing was left behind."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import Limits, Verdict, grade
from engine.report import report_data
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
