"""`nnprep bank validate|stats` and `nnprep schema`, run through quiz.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomli_w

from questions.loader import Bank
from quiz import cli
from tests.questions.test_loader import VALID_ITEMS, write_deck


@pytest.fixture(autouse=True)
def only_our_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other command modules are written in parallel; these tests need only ours."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("quiz.commands.bank", "quiz.commands.schema"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_validate_clean(capsys: pytest.CaptureFixture[str], bank: Bank) -> None:
    status, out, err = run(capsys, "bank", "validate")
    assert status == 0, out
    assert out.startswith(f"ok: {len(bank)} items in ") and out.count("\n") == 1
    assert err == ""


def test_validate_a_good_user_deck_path(capsys: pytest.CaptureFixture[str], tmp_path: Path, bank: Bank) -> None:
    write_deck(tmp_path / "good.toml", VALID_ITEMS)
    status, out, _ = run(capsys, "bank", "validate", str(tmp_path))
    assert status == 0 and f"ok: {len(bank) + len(VALID_ITEMS)} items" in out


def test_validate_reports_every_problem_and_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a_bad_toml.toml").write_text("[[items]]\nid = 'x\n", encoding="utf-8")
    write_deck(tmp_path / "b_missing.toml", [{k: v for k, v in VALID_ITEMS[0].items() if k != "answer"}])
    write_deck(tmp_path / "c_types.toml", [{**VALID_ITEMS[2], "id": "user.types", "answer": "lots"}])
    write_deck(tmp_path / "d_dups.toml", [VALID_ITEMS[3], VALID_ITEMS[3]])
    choices = [{**c, "correct": False, "why": "no"} for c in VALID_ITEMS[1]["choices"]]
    no_correct = {**VALID_ITEMS[1], "choices": choices}
    write_deck(tmp_path / "e_mcq.toml", [no_correct])
    status, out, _ = run(capsys, "bank", "validate", str(tmp_path))
    assert status == 1
    lines = out.splitlines()
    assert lines[-1].startswith("5 problems found")
    body = "\n".join(lines[:-1])
    assert "a_bad_toml.toml: -: -: not valid TOML" in body
    assert "b_missing.toml: user.flash: answer: required field is missing" in body
    assert "c_types.toml: user.types: answer: Input should be a valid number" in body
    assert "d_dups.toml: user.shape: id: duplicate id: already defined in" in body
    assert "e_mcq.toml: user.mcq: choices: an mcq needs at least one correct choice" in body
    assert "Traceback" not in out


def test_validate_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, "bank", "validate", str(tmp_path / "nope"))
    assert status == 2 and out == "" and err.startswith("nnprep: no such file or folder:")


def test_validate_sees_deck_option_and_user_decks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, user_decks: Path
) -> None:
    write_deck(user_decks / "broken.toml", [{**VALID_ITEMS[0], "difficulty": "trivial"}])
    write_deck(tmp_path / "extra.toml", [{**VALID_ITEMS[1], "seconds": 1}])
    status, out, _ = run(capsys, "--deck", str(tmp_path / "extra.toml"), "bank", "validate")
    assert status == 1
    assert "broken.toml: user.flash: difficulty:" in out and "extra.toml: user.mcq: seconds:" in out


def test_stats_json(capsys: pytest.CaptureFixture[str], bank: Bank, tmp_path: Path) -> None:
    status, out, _ = run(capsys, "bank", "stats", "--format", "json")
    assert status == 0
    stats = json.loads(out)
    assert {"total", "by_topic", "by_type", "by_difficulty", "auto_gradable", "parameterised"} <= set(stats)
    assert stats["total"] == len(bank) == sum(stats["by_topic"].values()) == sum(stats["by_type"].values())
    assert sum(stats["by_difficulty"].values()) == stats["total"]
    assert stats["parameterised"] == stats["by_type"].get("parameterised", 0)
    write_deck(tmp_path / "more.toml", VALID_ITEMS)
    _, out, _ = run(capsys, "--deck", str(tmp_path), "bank", "stats", "--format", "json")
    assert json.loads(out)["total"] == len(bank) + len(VALID_ITEMS)


def test_stats_text(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "bank", "stats")
    assert status == 0 and "auto-gradable" in out and "Tensor shapes and broadcasting" in out


@pytest.mark.parametrize(("kind", "title"), [("question", "Deck"), ("task", "TaskText"), ("report", "GradeReport")])
def test_schema(capsys: pytest.CaptureFixture[str], kind: str, title: str) -> None:
    status, out, _ = run(capsys, "schema", kind)
    assert status == 0
    schema = json.loads(out)
    assert schema["title"] == title and schema["type"] == "object"


def test_question_schema_validates_a_deck_shape(capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "schema", "question")
    status = cli.main(["schema", "question"])
    schema = json.loads(capsys.readouterr().out)
    assert status == 0
    item_types = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "const" in d.get("properties", {}).get("type", {})
    }
    assert item_types == {"flashcard", "mcq", "numeric", "shape", "parameterised"}
    assert tomli_w.dumps({"items": VALID_ITEMS})  # the same structure the schema describes


@pytest.mark.parametrize(
    "argv", [["bank", "--help"], ["bank", "validate", "--help"], ["bank", "stats", "--help"], ["schema", "--help"]]
)
def test_help(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 0
    assert "usage: nnprep" in capsys.readouterr().out
