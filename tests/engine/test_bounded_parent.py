"""The grading process stays within its time: the numerical cross-check shares a grade's total time limit, and one
file's tasks together share a budget of FILE_TIME_FACTOR x that limit.

Runs here "take" time on a fake clock (the grader's ``_clock``), so these tests never wait and never depend on the
machine's speed; what they check is the limits each run is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

import engine.grader
from engine import TASK_IDS, Limits, Verdict, get_task, grade, grade_file
from engine.grader import FILE_TIME_FACTOR, file_time_budget
from engine.runner import RunResult
from engine.task import Call
from quiz.batch.candidates import tasks_defined
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class SlowRunner(InProcessRunner):
    """The in-process runner, each run taking ``seconds`` on the fake clock; it records when each run started and the
    limits it was given."""

    def __init__(self, clock: FakeClock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.runs: list[tuple[float, Limits]] = []

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        self.runs.append((self.clock.now, limits))
        self.clock.now += self.seconds
        return super().run(source, calls, functions, limits)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(engine.grader, "_clock", fake)
    return fake


WRONG_BACKWARD = (SUBMISSIONS / "linear" / "wrong_upstream_ignored.py").read_text()


def test_a_failing_file_is_cross_checked(clock: FakeClock) -> None:
    runner = SlowRunner(clock, 0.0)
    report = grade(WRONG_BACKWARD, "linear", runner=runner)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert len(runner.runs) > 1  # the cases, then the cross-check's probes
    assert any("backward" in d for d in report.diagnoses)


def test_the_hidden_run_and_the_cross_check_get_only_the_time_the_earlier_runs_left(clock: FakeClock) -> None:
    limits = Limits(time_limit=2.0, total_time_limit=20.0)
    runner = SlowRunner(clock, 8.0)
    grade(WRONG_BACKWARD, "linear", limits, runner=runner)
    assert len(runner.runs) >= 3  # the visible examples, the hidden cases, then the cross-check's probes
    (first_start, first), *later = runner.runs
    assert first == limits
    assert [start for start, _ in later[:2]] == [8.0, 16.0]
    for start, given in later:
        assert start + given.total_time_limit <= first_start + limits.total_time_limit
        assert given.time_limit <= given.total_time_limit


def test_no_cross_check_once_the_total_time_is_used(clock: FakeClock) -> None:
    runner = SlowRunner(clock, 10.0)
    report = grade(WRONG_BACKWARD, "linear", Limits(total_time_limit=20.0), runner=runner)
    assert len(runner.runs) == 2  # the visible examples and the hidden cases took it all
    assert report.verdict is Verdict.WRONG_ANSWER  # judged on its cases as before, only not cross-checked


def test_hidden_cases_the_total_time_does_not_reach_are_not_run(clock: FakeClock) -> None:
    runner = SlowRunner(clock, 20.0)
    report = grade(WRONG_BACKWARD, "linear", Limits(total_time_limit=20.0), runner=runner)
    assert len(runner.runs) == 1
    hidden = [c for c in report.cases if not c.visible]
    assert hidden and all(c.verdict is Verdict.TIME_LIMIT_EXCEEDED for c in hidden)
    assert all("not run: the visible examples used up the total time limit of 20 s" in c.message for c in hidden)
    assert any(c.verdict is Verdict.WRONG_ANSWER for c in report.cases if c.visible)


def _every_function_stub() -> str:
    lines = ["import numpy as np", ""]
    for task_id in TASK_IDS:
        for spec in get_task(task_id).functions:
            lines += [f"def {spec.name}(*args, **kwargs):", "    raise NotImplementedError", ""]
    return "\n".join(lines)


def test_a_file_naming_every_function_is_graded_within_its_budget(clock: FakeClock) -> None:
    """A file that defines every task's functions is graded on all of them, but the runs together stay within the
    file's budget; the tasks it does not reach are reported as not run."""
    source = _every_function_stub()
    assert tasks_defined(source) == list(TASK_IDS)
    limits = Limits(time_limit=2.0, total_time_limit=20.0)
    budget = file_time_budget(limits)
    assert budget == FILE_TIME_FACTOR * 20.0
    runner = SlowRunner(clock, 19.0)
    reports = grade_file(source, list(TASK_IDS), limits, runner=runner)
    assert [r.task for r in reports] == list(TASK_IDS)
    assert len(runner.runs) < len(TASK_IDS)
    for start, given in runner.runs:
        assert start + given.total_time_limit <= budget + 1e-9
        assert given.total_time_limit <= limits.total_time_limit and given.time_limit <= given.total_time_limit
    not_run = reports[len(runner.runs) :]
    assert not_run and all(r.verdict is Verdict.TIME_LIMIT_EXCEEDED and r.score == 0 for r in not_run)
    assert all("time budget" in r.message and r.cases for r in not_run)
    assert len({r.seed for r in reports}) == 1  # one seed for the file: --seed re-grades all of it


def test_a_quick_file_gets_every_task_with_full_limits(clock: FakeClock, inprocess: InProcessRunner) -> None:
    source = (SUBMISSIONS / "linear" / "correct_reference.py").read_text()
    source += "\n" + (SUBMISSIONS / "relu" / "correct_reference.py").read_text().replace("import numpy as np", "")
    runner = SlowRunner(clock, 1.0)
    reports = grade_file(source, ["linear", "relu"], Limits(), runner=runner)
    assert [r.verdict for r in reports] == [Verdict.PASSED, Verdict.PASSED]
    assert len(runner.runs) == 4  # each task: its visible examples, then its hidden cases with what is left
    assert [given for _, given in runner.runs[::2]] == [Limits(), Limits()]
    assert all(given.total_time_limit == Limits().total_time_limit - 1.0 for _, given in runner.runs[1::2])
