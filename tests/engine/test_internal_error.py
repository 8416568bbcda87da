"""When the grader itself fails (say the sandbox cannot start), the report says internal_error, blaming nothing on
the candidate, and the CLI exits 3."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from engine import Limits, Verdict, grade
from engine.runner import RunResult
from engine.task import Call

SOURCE = (Path(__file__).resolve().parents[1] / "submissions" / "linear" / "correct_reference.py").read_text()


class BrokenRunner:
    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        raise RuntimeError("the zygote did not start")


class ShortRunner:
    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        return RunResult(calls=[])  # fewer results than calls: nothing may be judged (an empty case must not pass)


def test_missing_results_are_an_internal_error_not_a_pass() -> None:
    report = grade(SOURCE, "linear", runner=ShortRunner())
    assert report.verdict is Verdict.INTERNAL_ERROR and report.score == 0


def test_report_says_internal_error() -> None:
    report = grade(SOURCE, "linear", runner=BrokenRunner())
    assert report.verdict is Verdict.INTERNAL_ERROR and report.score == 0
    assert "the grader failed, not your code" in report.message
    assert all(c.verdict is Verdict.INTERNAL_ERROR for c in report.cases)


def test_cli_exit_status_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import engine.grader
    from quiz.cli import main

    original = engine.grader.grade
    monkeypatch.setattr("engine.grader.grade", lambda *a, **k: original(*a, **{**k, "runner": BrokenRunner()}))
    path = tmp_path / "sub.py"
    path.write_text(SOURCE)
    assert main(["grade", str(path), "--task", "linear", "--format", "json"]) == 3
    assert '"verdict": "internal_error"' in capsys.readouterr().out
