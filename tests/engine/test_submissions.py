"""Every known submission in tests/submissions/<task>/ gets the verdict and diagnoses its header promises.

File names: ``correct_<style>.py`` must pass with no diagnosis; ``wrong_<mistake>.py`` must fail. Wrong files start
with header lines::

    # expect-verdict: wrong_answer
    # expect-diagnosis: dW is the transpose

(one or more ``expect-diagnosis`` lines, each a substring of one of the report's diagnoses). Each task's submissions
are graded once (tests/engine/tasks/support.py ``graded``), shared with the detector and speed checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from engine import TASK_IDS, GradeReport, Verdict
from engine.report import report_data, report_from_json
from tests.engine.tasks.support import SUBMISSIONS as ROOT
from tests.engine.tasks.support import graded


def _files() -> list[Path]:
    return sorted(ROOT.glob("*/*.py"))


def _expectations(path: Path) -> tuple[str | None, list[str]]:
    verdict, diagnoses = None, []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key.strip() == "expect-verdict":
            verdict = value.strip()
        elif key.strip() == "expect-diagnosis":
            diagnoses.append(value.strip())
    return verdict, diagnoses


@pytest.mark.parametrize("path", _files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_known_submission(path: Path) -> None:
    report = graded(path.parent.name).reports[path]
    if path.stem.startswith("correct"):
        assert report.verdict is Verdict.PASSED, report_data(report)
        assert report.diagnoses == []
        return
    verdict, diagnoses = _expectations(path)
    assert path.stem.startswith("wrong"), "submission files are correct_*.py or wrong_*.py"
    assert verdict is not None, "a wrong submission states its expect-verdict"
    assert report.verdict == Verdict(verdict), report_data(report)
    for expected in diagnoses:
        assert any(expected in d for d in report.diagnoses), (expected, report.diagnoses)


def test_every_task_has_known_submissions() -> None:
    for task in TASK_IDS:
        folder = ROOT / task
        correct = list(folder.glob("correct_*.py"))
        wrong = list(folder.glob("wrong_*.py"))
        assert len(correct) >= 2 and len(wrong) >= 3, f"{task}: {len(correct)} correct, {len(wrong)} wrong"


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_report_json_is_strict_and_round_trips(task_id: str) -> None:
    """Every known submission's report: ``report_data`` (the CLI's JSON) is strict JSON (NaN and inf as null), equal
    to what pydantic writes for the same report inside a batch result or the store, and reads back to the same."""
    adapter = TypeAdapter(GradeReport)
    for report in graded(task_id).reports.values():
        text = json.dumps(report_data(report), allow_nan=False)
        assert json.loads(text) == json.loads(adapter.dump_json(report))
        assert report_data(report_from_json(text)) == json.loads(text)
