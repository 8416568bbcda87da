"""The hidden cases run in a run of their own, after the visible examples', and nothing that run's child controls
reaches the report unless the policy reveals hidden cases. (The real sandbox against a hostile file:
tests/sandbox/test_hidden_leak.py; here, runners that misbehave on purpose, in process.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engine import Limits, Verdict, get_task, grade
from engine.compare import compare, revealing
from engine.hidden import output
from engine.report import Isolation, report_data
from engine.runner import RunResult
from engine.task import Call
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
CORRECT = (SUBMISSIONS / "linear" / "correct_reference.py").read_text()
SECRET = "SECRET-0.123456789"


class Recording(InProcessRunner):
    """Runs in process and records the calls of each run."""

    def __init__(self) -> None:
        self.runs: list[list[Call]] = []

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        self.runs.append(list(calls))
        return super().run(source, calls, functions, limits)


class SecondRunLies(Recording):
    """Its second run (the hidden cases') prints a secret, claims absurd times, and fails its calls with the secret
    as their error text; with ``fatal`` that run instead fails as a whole, the secret as its message."""

    def __init__(self, fatal: bool = False) -> None:
        super().__init__()
        self.fatal = fatal

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        result = super().run(source, calls, functions, limits)
        if len(self.runs) != 2:
            return result
        if self.fatal:
            return RunResult(calls=[], stdout=SECRET, fatal_verdict=Verdict.RUNTIME_ERROR, fatal_message=SECRET)
        lied = [dataclasses.replace(r, seconds=123.456789, error=f"ValueError: {SECRET}",
                                    error_verdict=Verdict.RUNTIME_ERROR) if i % 2 else
                dataclasses.replace(r, seconds=0.0123456789) for i, r in enumerate(result.calls)]
        return RunResult(calls=lied, stdout=f"printed {SECRET}\n", isolation=result.isolation)


def _same(calls: list[Call], others: list[Call]) -> bool:
    return len(calls) == len(others) and all(
        a.function == b.function and a.args.keys() == b.args.keys()
        and all(np.array_equal(a.args[k], b.args[k]) for k in a.args)  # type: ignore[arg-type]
        for a, b in zip(calls, others, strict=True)
    )


def test_the_visible_examples_and_the_hidden_cases_run_apart_in_that_order() -> None:
    runner = Recording()
    report = grade(CORRECT, "linear", runner=runner, seed=31)
    cases = get_task("linear").cases(31)
    assert report.passed and len(runner.runs) == 2
    assert _same(runner.runs[0], [call for c in cases if c.visible for call in c.calls])
    assert _same(runner.runs[1], [call for c in cases if not c.visible for call in c.calls])


def test_run_examples_runs_the_visible_examples_only() -> None:
    runner = Recording()
    report = grade(CORRECT, "linear", runner=runner, visible_only=True)
    assert len(runner.runs) == 1 and report.cases and all(c.visible for c in report.cases)
    assert "hidden" not in report.stdout


def test_what_the_hidden_run_says_is_replaced_by_the_graders_words() -> None:
    limits = Limits(time_limit=2.0)
    report = grade(CORRECT, "linear", limits, runner=SecondRunLies(), seed=31)
    assert SECRET not in str(report_data(report))
    size = len(f"printed {SECRET}\n")
    assert report.stdout == f"({size} bytes of output during the hidden cases, not shown)"
    hidden = [c for c in report.cases if not c.visible]
    failed = [c for c in hidden if c.verdict is Verdict.RUNTIME_ERROR]
    assert failed and all("raised an exception or stopped (details of hidden cases are not shown)" in c.message
                          for c in failed)
    assert all(c.seconds in (0.01, 2.0) for c in hidden)  # rounded to 10 ms, never above the per-call limit
    assert all(c.verdict is Verdict.PASSED for c in report.cases if c.visible)


def test_a_policy_that_reveals_hidden_cases_shows_what_their_run_said() -> None:
    report = grade(CORRECT, "linear", runner=SecondRunLies(), seed=31, reveal_hidden=True)
    assert f"--- output during the hidden cases ---\nprinted {SECRET}" in report.stdout
    assert any(SECRET in c.message for c in report.cases if not c.visible)


def test_a_file_that_fails_only_in_the_hidden_run_fails_the_hidden_cases_without_its_words() -> None:
    report = grade(CORRECT, "linear", runner=SecondRunLies(fatal=True), seed=31)
    assert SECRET not in str(report_data(report))
    assert all(c.verdict is Verdict.PASSED for c in report.cases if c.visible)
    hidden = [c for c in report.cases if not c.visible]
    assert hidden and all(c.verdict is Verdict.RUNTIME_ERROR and "not shown" in c.message for c in hidden)
    revealed = grade(CORRECT, "linear", runner=SecondRunLies(fatal=True), seed=31, reveal_hidden=True)
    assert all(SECRET in c.message for c in revealed.cases if not c.visible)


def test_a_file_that_fails_to_import_is_not_run_again_for_the_hidden_cases() -> None:
    runner = Recording()
    report = grade("def linear_forward(:\n", "linear", runner=runner, seed=31)
    assert len(runner.runs) == 1 and report.verdict is Verdict.SYNTAX_ERROR
    assert all(c.verdict is Verdict.SYNTAX_ERROR for c in report.cases)


def test_the_report_output_joins_the_runs() -> None:
    assert output("a\n", "", reveal=False) == "a\n"
    assert output("", "xyz", reveal=False) == "(3 bytes of output during the hidden cases, not shown)"
    assert output("a", "é", reveal=False) == "a\n(2 bytes of output during the hidden cases, not shown)"
    assert output("a\n", "b\n", reveal=True) == "a\n--- output during the hidden cases ---\nb\n"


def test_a_hidden_wrong_shape_shows_only_sizes_the_case_gave() -> None:
    expected = np.zeros((4, 3))
    with revealing(False):
        transposed = compare("y", expected, np.zeros((3, 4)), 1e-4)
        kept = compare("y", expected, np.zeros((4, 1, 3)), 1e-4)
        spelled = compare("y", expected, np.zeros((0, 12345)), 1e-4)
        many = compare("y", expected, np.zeros((1, 1, 1, 4, 3)), 1e-4)
    assert transposed.got_shape == (3, 4) and "shape (3, 4)" in transposed.message
    assert kept.got_shape == (4, 1, 3)
    for check in (spelled, many):
        assert check.got_shape is None and not check.ok
        assert "12345" not in check.message and check.message == \
            "y: a shape other than (4, 3) (not shown: sizes not taken from it)"
    with revealing(True):
        assert compare("y", expected, np.zeros((0, 12345)), 1e-4).got_shape == (0, 12345)


def test_a_hidden_passing_outputs_error_is_only_its_power_of_ten() -> None:
    expected = np.full(3, 0.5)
    got = expected + np.array([0.0, 3.21987e-6, 0.0])
    with revealing(False):
        hidden = compare("y", expected, got, 1e-4)
        near = compare("y", expected, expected + 1.5e-5, 2e-5)
        exact = compare("y", expected, expected.copy(), 1e-4)
    assert hidden.ok and hidden.rel_error == 1e-5
    assert near.ok and near.rel_error == 2e-5  # never above the tolerance
    assert exact.rel_error == 0.0
    with revealing(True):
        assert compare("y", expected, got, 1e-4).rel_error == float(np.max(np.abs(got - expected)))


def test_a_hidden_case_does_not_quote_a_factor_the_candidate_chose() -> None:
    source = CORRECT.replace("def linear_backward", "def _backward") + (
        "\n\ndef linear_backward(dy, x, W, b):\n"
        "    dx, dW, db = _backward(dy, x, W, b)\n"
        "    return dx, 3.71828 * dW, db\n"
    )
    report = grade(source, "linear", runner=InProcessRunner(), seed=31)
    hidden = [d for c in report.cases if not c.visible for d in c.diagnoses]
    visible = [d for c in report.cases if c.visible for d in c.diagnoses]
    assert "dW is 3.718 times the expected value" in visible
    assert "dW is a constant multiple of the expected value (not 1, -1, 2 or N)" in hidden
    assert not [d for d in hidden if "3.71" in d]


def test_a_hidden_case_does_not_quote_a_shape_the_candidate_chose_in_a_diagnosis() -> None:
    source = (
        "import numpy as np\n\n"
        "def global_avg_pool_forward(x):\n    return x.mean(axis=(2, 3))\n\n"
        "def global_avg_pool_backward(dy, x):\n    return np.zeros((0, 31337))\n"
    )
    report = grade(source, "global_avg_pool", runner=InProcessRunner(), seed=5)
    hidden = [d for c in report.cases if not c.visible for d in c.diagnoses]
    visible = [d for c in report.cases if c.visible for d in c.diagnoses]
    assert "dx has shape (0, 31337): it has the shape of x, (N, C, H, W)" in visible
    assert "dx has another shape: it has the shape of x, (N, C, H, W)" in hidden
    assert not [c for c in report_data(report)["cases"] if not c["visible"] and "31337" in str(c)]


class SecondRunLessIsolated(Recording):
    """Its second run (the hidden cases') reports a protection fewer than the first."""

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        result = super().run(source, calls, functions, limits)
        result.isolation = Isolation(rlimits=["CPU", "AS"], seccomp=True, landlock_abi=7, notes=["a"])
        if len(self.runs) == 2:
            result.isolation = Isolation(rlimits=["CPU"], seccomp=False, landlock_abi=4, notes=["b"],
                                         missing=["seccomp: the filter was not loaded in the child"])
        return result


def test_a_grade_reports_the_protections_both_its_runs_had() -> None:
    report = grade(CORRECT, "linear", runner=SecondRunLessIsolated(), seed=31)
    iso = report.isolation
    assert (iso.rlimits, iso.seccomp, iso.landlock_abi, iso.notes) == (["CPU"], False, 4, ["a", "b"])
    assert iso.missing == ["seccomp: the filter was not loaded in the child"]
    assert "seccomp" not in iso.lines()[0] and "seccomp" in iso.lines()[1]
