"""Fair batch scores: `passed` follows the verdict unless a policy sets a pass mark, and the outputs say which rule
decided; JUnit times are the calls' real times; a text report shows a few KB of the candidate's output at most."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

from engine import grade
from engine.report import GradeReport, Verdict
from quiz.batch import formats
from quiz.batch.candidates import Candidate
from quiz.batch.policy import Policy
from quiz.batch.pool import grade_candidate
from quiz.batch.results import CandidateResult
from quiz.commands.grading import SHOWN_OUTPUT_CHARS, format_report
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions" / "linear"
WRONG = (SUBMISSIONS / "wrong_transposed_dw.py").read_text()  # forward right, dW transposed: partial credit
CORRECT = (SUBMISSIONS / "correct_reference.py").read_text()


def _graded(source: str, policy: Policy) -> CandidateResult:
    return grade_candidate(Candidate("c", Path("c.py"), source), policy, ["linear"], InProcessRunner())


def test_partial_credit_does_not_pass_without_a_pass_mark() -> None:
    result = _graded(WRONG, Policy())
    assert 0 < result.total < 100 and result.reports[0].verdict is Verdict.WRONG_ANSWER
    assert result.passed is False and result.passed_by == "verdict"
    result = _graded(CORRECT, Policy())
    assert result.passed is True and result.passed_by == "verdict"


def test_a_pass_mark_decides_by_total_and_the_csv_says_so() -> None:
    lenient = _graded(WRONG, Policy(pass_mark=10))
    strict = _graded(WRONG, Policy(pass_mark=99))
    assert lenient.passed is True and lenient.passed_by == "pass mark 10"
    assert strict.passed is False and strict.passed_by == "pass mark 99"
    rows = list(csv.DictReader(io.StringIO(formats.to_csv([lenient, strict]))))
    assert [(r["passed"], r["passed_by"]) for r in rows] == [("yes", "pass mark 10"), ("no", "pass mark 99")]
    assert "passed (by pass mark 10)" in formats.to_text([lenient], "pass mark 10")
    assert "by pass mark 10" in formats.to_markdown(lenient)


def test_junit_times_are_the_calls_real_times() -> None:
    result = _graded(CORRECT, Policy())
    root = ET.fromstring(formats.to_junit([result]).split("\n", 1)[1])
    times = [float(tc.get("time", "")) for tc in root.iter("testcase")]
    cases = result.reports[0].cases
    assert len(times) == len(cases) and sum(times) > 0
    for t, case in zip(times, cases, strict=True):
        assert abs(t - case.seconds) < 1e-6


def test_text_report_caps_printed_output_with_a_note() -> None:
    report = grade(CORRECT, "linear", runner=InProcessRunner())
    spam = "".join(f"line {i} " + "x" * 90 + "\n" for i in range(700))  # about 64 KB of print spam
    capped = format_report(GradeReport(**{**report.__dict__, "stdout": spam}))
    printed = [line for line in capped.splitlines() if line.startswith("    | ")]
    assert 0 < sum(len(line) for line in printed) <= SHOWN_OUTPUT_CHARS + 6 * len(printed)
    assert printed[0] == "    | line 0 " + "x" * 90
    assert "more characters not shown" in capped and len(capped) < 8000
    short = format_report(GradeReport(**{**report.__dict__, "stdout": "hello\r\nworld\n"}))
    assert "    | hello\n    | world\n" in short and "not shown" not in short


HANGING_FORWARD = (
    "import time\n"
    "def linear_forward(x, W, b):\n"
    "    end = time.monotonic() + 30\n"  # bounded even if the sandbox failed to stop it
    "    while time.monotonic() < end:\n"
    "        pass\n"
    "def linear_backward(dy, x, W, b):\n"
    "    return dy @ W, dy.T @ x, dy.sum(axis=0)\n"
)


def test_a_hanging_function_costs_only_its_own_cases() -> None:
    from engine import Limits

    report = grade(HANGING_FORWARD, "linear", Limits(time_limit=0.5, total_time_limit=15.0))
    forward = [c for c in report.cases if c.name.startswith("forward")]
    backward = [c for c in report.cases if c.name.startswith("backward")]
    assert len(backward) >= 5 and all(c.verdict is Verdict.PASSED for c in backward), [
        (c.name, c.message) for c in backward
    ]
    assert forward and all(c.verdict is Verdict.TIME_LIMIT_EXCEEDED for c in forward)
    assert report.verdict is Verdict.TIME_LIMIT_EXCEEDED and report.score == sum(c.score for c in backward)
