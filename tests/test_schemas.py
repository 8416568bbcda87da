"""The published JSON Schemas validate the JSON nnprep actually writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine import grade
from engine.report import report_data
from quiz.batch.policy import EXAMPLE, Policy
from quiz.cli import main
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).parent / "submissions"


def _schema(kind: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["schema", kind]) == 0
    schema: dict[str, object] = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_grade_report_schema(capsys: pytest.CaptureFixture[str], inprocess: InProcessRunner) -> None:
    schema = _schema("report", capsys)
    cases = [("linear", "correct_reference"), ("linear", "wrong_transposed_dw"),
             ("softmax", "wrong_no_max"), ("causal_mask", "wrong_additive_mask")]
    for task_id, name in cases:  # NaN in got, and -inf expected: written as null, allowed by the schema
        report = grade((SUBMISSIONS / task_id / f"{name}.py").read_text(), task_id, runner=inprocess)
        jsonschema.validate(json.loads(json.dumps(report_data(report), allow_nan=False)), schema)


def test_policy_schema_accepts_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    schema = _schema("policy", capsys)
    data = tomllib.loads(EXAMPLE)
    jsonschema.validate(data, schema)
    Policy.model_validate(data)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "pass_mark": 150}, schema)


def test_every_schema_kind_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    for kind in ("question", "task", "report", "policy", "mock-report"):
        _schema(kind, capsys)
