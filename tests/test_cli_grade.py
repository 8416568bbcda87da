"""`nnprep grade`, `nnprep tasks`, `nnprep task starter|solution` through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quiz.cli import main

SUBMISSIONS = Path(__file__).parent / "submissions"


def test_tasks_json_lists_every_task(capsys: pytest.CaptureFixture[str]) -> None:
    from engine import TASK_IDS

    assert main(["tasks", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(TASK_IDS)
    assert all(r["functions"] for r in rows)


def test_unknown_task_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["task", "starter", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnprep: unknown task 'nope'") and "Traceback" not in err


def test_solution_prints_reference_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["task", "solution", "linear"]) == 0
    out = capsys.readouterr().out
    assert "def linear_forward(" in out and "def linear_backward(" in out and "dy.T @ x" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\x00\x01binary", "binary file"),
        (b"\xff\xfe not utf8", "not UTF-8"),
    ],
)
def test_unreadable_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "sub.py"
    if content is not None:
        path.write_bytes(content)
    assert main(["grade", str(path), "--task", "linear"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_grade_json_of_a_passing_file_is_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    path = SUBMISSIONS / "linear" / "correct_loops.py"
    assert main(["grade", str(path), "--task", "linear", "--format", "json"]) == 0
    report = _strict_json(capsys.readouterr().out)
    assert isinstance(report, dict)
    assert report["task"] == "linear" and report["verdict"] == "passed"
    assert report["score"] == report["max_score"] == 100.0
    assert {"name", "visible", "verdict", "message"} <= set(report["cases"][0])
    assert any(c["visible"] for c in report["cases"]) and any(not c["visible"] for c in report["cases"])
    assert report["stdout"] == "" and report["isolation"]["separate_process"] is True


def test_grade_text_of_a_wrong_file_is_exit_1_and_names_the_mistake(capsys: pytest.CaptureFixture[str]) -> None:
    path = SUBMISSIONS / "linear" / "wrong_transposed_dw.py"
    assert main(["grade", str(path), "--task", "linear"]) == 1
    out = capsys.readouterr().out
    assert "verdict wrong_answer" in out and "what went wrong:" in out
    assert "dW is the transpose of the expected gradient" in out
    shape_failure = next(line for line in out.splitlines() if "backward_example" in line)
    assert "rel err" not in shape_failure  # a wrong shape has no relative error to show
    assert "sandbox: separate process" in out


def test_grade_without_task_grades_what_the_file_defines(capsys: pytest.CaptureFixture[str]) -> None:
    path = SUBMISSIONS / "softmax" / "wrong_no_max.py"
    assert main(["grade", str(path), "--format", "json"]) == 1
    report = _strict_json(capsys.readouterr().out)  # NaN outputs are written as null
    assert isinstance(report, dict) and report["task"] == "softmax" and report["verdict"] == "wrong_answer"


def test_file_defining_no_task_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sub.py"
    path.write_text("def unrelated():\n    return 1\n")
    assert main(["grade", str(path)]) == 2
    assert "defines every function of no task" in capsys.readouterr().err


def test_command_map_matches_what_modules_register() -> None:
    """Running one command imports only its module: the map from command to module must be complete and right."""
    import argparse

    from quiz.cli import COMMANDS, build_parser, command_of

    full = build_parser()
    sub = next(a for a in full._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
    for command, module in COMMANDS.items():
        only = build_parser(only=command)
        only_sub = next(a for a in only._actions if isinstance(a, argparse._SubParsersAction))
        assert command in only_sub.choices, (command, module)
    assert command_of(["--db", "x.db", "--deck", "d", "grade", "f.py"]) == "grade"
    assert command_of(["--help"]) is None


def test_readme_task_table_is_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("<!-- tasks:begin -->\n", 1)[1].split("\n<!-- tasks:end -->", 1)[0]
    assert main(["tasks", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.rstrip() == table.rstrip()


def test_task_list_columns_stay_aligned_with_long_titles(capsys: pytest.CaptureFixture[str]) -> None:
    from quiz.commands.catalogue import text_table

    rows = [
        {"id": "short", "title": "A title", "difficulty": "easy", "topic": "losses"},
        {"id": "a_much_longer_id", "title": "word " * 40, "difficulty": "medium", "topic": "normalisation"},
    ]
    lines = text_table(rows, columns=80).splitlines()
    assert all(len(line) <= 80 for line in lines)
    title_col = lines[0].index("TITLE")
    assert lines[1].index("A title") == title_col
    assert lines[2][title_col:].startswith("word")
    assert all(line[:title_col].strip() == "" for line in lines[3:])  # wrapped title lines stay in their column
    assert lines[2].split()[:3] == ["a_much_longer_id", "medium", "normalisation"]
