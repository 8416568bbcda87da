"""The result formats, on real reports of known submissions (graded in-process for speed)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from engine import grade
from quiz.batch import formats
from quiz.batch.results import CandidateResult, weighted_total
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions" / "linear"
XSD = Path(__file__).resolve().parents[1] / "data" / "junit.xsd"


@pytest.fixture(scope="module")
def results() -> list[CandidateResult]:
    runner = InProcessRunner()
    out = []
    for name in ("correct_reference", "wrong_transposed_dw"):
        source = (SUBMISSIONS / f"{name}.py").read_text()
        report = grade(source, "linear", runner=runner)
        total = weighted_total([report], {"linear": 1.0})
        out.append(
            CandidateResult(
                candidate=name,
                path=f"{name}.py",
                reports=[report],
                weights={"linear": 1.0},
                total=total,
                passed=total >= 60,
                seconds=0.01,
            )
        )
    out.append(CandidateResult(candidate="broken", path="broken.py", error="broken.py is a binary file"))
    return out


def test_csv_has_a_row_per_candidate(results: list[CandidateResult]) -> None:
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(results))))
    assert [r["candidate"] for r in rows] == ["correct_reference", "wrong_transposed_dw", "broken"]
    assert rows[0]["linear_verdict"] == "passed" and float(rows[0]["linear_score"]) == 100.0
    assert rows[1]["linear_verdict"] == "wrong_answer" and 0 < float(rows[1]["total"]) < 100
    assert rows[2]["error"] == "broken.py is a binary file" and rows[2]["linear_score"] == ""


def test_junit_is_valid_and_carries_diagnoses(results: list[CandidateResult]) -> None:
    text = formats.to_junit(results)
    xmlschema.XMLSchema(XSD).validate(text)
    root = ET.fromstring(text)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert suites["correct_reference"].get("failures") == "0"
    failures = suites["wrong_transposed_dw"].findall("testcase/failure")
    assert failures and any("transpose" in (f.text or "") for f in failures)
    assert suites["broken"].find("testcase/error") is not None


def test_gradescope_results_json(results: list[CandidateResult]) -> None:
    data = json.loads(formats.to_gradescope(results[1]))
    assert set(data) >= {"score", "tests", "output"}
    assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(100)
    assert {t["visibility"] for t in data["tests"]} == {"visible", "hidden"}
    assert {t["status"] for t in data["tests"]} == {"passed", "failed"}
    for t in data["tests"]:
        assert set(t) == {"name", "score", "max_score", "status", "output", "visibility"}


def test_jsonl_is_one_report_per_candidate_and_task(results: list[CandidateResult]) -> None:
    lines = [json.loads(line) for line in formats.to_jsonl(results).splitlines()]
    assert [(d["candidate"], d.get("task")) for d in lines] == [
        ("correct_reference", "linear"),
        ("wrong_transposed_dw", "linear"),
        ("broken", None),
    ]
    assert lines[1]["verdict"] == "wrong_answer" and lines[2]["error"]


def test_markdown_summary(results: list[CandidateResult]) -> None:
    text = formats.to_markdown(results[1])
    assert text.startswith("# wrong\\_transposed\\_dw") and "dW is the transpose" in text  # _ escaped for Markdown
