"""`nnprep grade` and hidden cases: a fresh seed at every grade, kept in the instructor's JSON and the batch journal
(never in Gradescope's results.json), `--seed` re-grades identically, `--reveal-hidden` shows hidden values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quiz.cli import main

LINEAR = Path(__file__).parent / "submissions" / "linear"
WRONG = LINEAR / "wrong_upstream_ignored.py"


def _without_times(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_times(v) for k, v in data.items() if k not in ("seconds", "isolation")}
    if isinstance(data, list):
        return [_without_times(v) for v in data]
    return data


def _grade_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    assert main(["grade", str(WRONG), "--task", "linear", "--format", "json", *extra]) == 1
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_seed_regrades_identically_and_fresh_grades_differ(capsys: pytest.CaptureFixture[str]) -> None:
    first = _grade_json(capsys)
    second = _grade_json(capsys)
    assert isinstance(first["seed"], int) and first["seed"] != second["seed"]
    again = _grade_json(capsys, "--seed", str(first["seed"]))
    assert _without_times(again) == _without_times(first)
    hidden = [c for c in first["cases"] if not c["visible"] and c["verdict"] != "passed"]
    assert hidden and all(c["inputs"] is None and not any(o["worst"] for o in c["outputs"]) for c in hidden)


def test_reveal_hidden_shows_hidden_inputs_and_values(capsys: pytest.CaptureFixture[str]) -> None:
    shown = _grade_json(capsys, "--reveal-hidden", "--seed", "5")
    hidden = [c for c in shown["cases"] if not c["visible"] and c["verdict"] != "passed"]
    assert hidden and all(c["inputs"] and any(o["worst"] for o in c["outputs"]) for c in hidden)


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_a_seed_out_of_range_is_a_usage_error(seed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade", str(WRONG), "--task", "linear", "--seed", seed]) == 2
    err = capsys.readouterr().err
    assert "--seed must be a whole number" in err and "Traceback" not in err


def test_a_seed_that_is_no_number_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["grade", str(WRONG), "--task", "linear", "--seed", "x"])
    assert stopped.value.code == 2 and "--seed" in capsys.readouterr().err


def test_batch_keeps_the_seed_for_the_grader_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "ada.py").write_text(WRONG.read_text())
    (folder / "bo.py").write_text((LINEAR / "correct_reference.py").read_text())
    out = tmp_path / "gs"
    args = ["grade", str(folder), "--task", "linear", "--format", "gradescope", "--out", str(out), "--workers", "1"]
    assert main(args) == 1
    capsys.readouterr()
    for name in ("ada", "bo"):
        results = (out / name / "results.json").read_text()
        assert "seed" not in results
    journal = [json.loads(line) for line in (out / ".nnprep-journal.jsonl").read_text().splitlines()]
    seeds = {r["candidate"]: r["reports"][0]["seed"] for r in journal}
    assert all(isinstance(s, int) for s in seeds.values())
    regraded = _grade_json(capsys, "--seed", str(seeds["ada"]))
    kept = next(r for r in journal if r["candidate"] == "ada")["reports"][0]
    assert _without_times(regraded) == _without_times(kept)
