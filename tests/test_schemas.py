"""The published JSON Schemas validate the JSON nnprep actually writes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine import grade
from quiz.batch.policy import EXAMPLE, Policy
from quiz.cli import main
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).parent / "submissions" / "linear"


def _schema(kind: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["schema", kind]) == 0
    schema: dict[str, object] = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_grade_report_schema(capsys: pytest.CaptureFixture[str], inprocess: InProcessRunner) -> None:
    schema = _schema("report", capsys)
    for name in ("correct_reference", "wrong_transposed_dw"):
        report = grade((SUBMISSIONS / f"{name}.py").read_text(), "linear", runner=inprocess)
        jsonschema.validate(json.loads(report.model_dump_json()), schema)


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
