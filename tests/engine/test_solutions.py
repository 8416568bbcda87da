"""`nnprep task solution ID` prints source that is itself a correct submission, for every task."""

from __future__ import annotations

import pytest

from engine import TASK_IDS, Verdict, grade
from engine.solutions import reference_source
from tests.support.inprocess import InProcessRunner


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_reference_source_passes_its_task(task_id: str, inprocess: InProcessRunner) -> None:
    source = reference_source(task_id)
    compile(source, f"{task_id}_solution.py", "exec")
    report = grade(source, task_id, runner=inprocess)
    assert report.verdict is Verdict.PASSED, report.message
