"""`nnprep stats`, `nnprep export`, `nnprep import` through quiz.cli.main: output and exit codes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

import quiz.cli
from quiz.commands import progress as progress_cmd
from quiz.store import Store
from tests.store.conftest import time_bound
from tests.store.test_stats import ITEM_TOPICS, TASK_TOPICS, populate


@pytest.fixture(autouse=True)
def _only_our_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate from other engineers' command modules (each is tested on its own)."""
    monkeypatch.setattr(quiz.cli, "COMMAND_MODULES", ("quiz.commands.progress",))
    monkeypatch.setattr(progress_cmd, "_topic_mappings", lambda *decks: (ITEM_TOPICS, TASK_TOPICS))


def _populated(path: Path) -> None:
    with Store(path) as s:
        populate(s)


def test_our_module_is_registered() -> None:
    import importlib

    cli = importlib.reload(quiz.cli)
    assert "quiz.commands.progress" in cli.COMMAND_MODULES


def test_stats_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "p.db"
    _populated(db)
    assert quiz.cli.main(["--db", str(db), "stats"]) == 0
    out = capsys.readouterr().out
    assert "Streak:" in out and "Softmax and numerical stability" in out and "Coding tasks solved: 1/3" in out
    assert quiz.cli.main(["--db", str(db), "stats", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total_attempts"] == 49 and doc["tasks_solved"] == 1 and len(doc["due_next_days"]) == 7


def test_stats_uses_env_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "env.db"
    _populated(db)
    monkeypatch.setenv("NNPREP_DB", str(db))
    assert quiz.cli.main(["stats", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total_attempts"] == 49


def test_export_import_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b, out = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "export.json"
    _populated(a)
    assert quiz.cli.main(["--db", str(a), "export", str(out)]) == 0
    assert json.loads(out.read_text())["format"] == "nnprep-progress"
    assert quiz.cli.main(["--db", str(b), "import", str(out)]) == 0
    assert "49 attempts" in capsys.readouterr().out
    assert quiz.cli.main(["--db", str(b), "import", str(out), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 0
    now = datetime.now(UTC)
    from quiz.progress_stats import compute_stats

    with Store(a) as sa, Store(b) as sb:
        assert compute_stats(sa, ITEM_TOPICS, TASK_TOPICS, now) == compute_stats(sb, ITEM_TOPICS, TASK_TOPICS, now)


def test_export_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert quiz.cli.main(["--db", str(tmp_path / "p.db"), "export", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe not json", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not an nnprep progress export"),
        (b'{"format": "other"}', "not an nnprep progress export"),
        (b'{"format": "nnprep-progress", "version": 99, "exported_at": "2025-01-01T00:00:00Z"}', "version 99"),
        (b'{"format": "nnprep-progress", "version": 1, "exported_at": "2025-01-01T00:00:00Z", '
         b'"attempts": [{"uuid": "u"}]}', "invalid export at attempts.0"),
    ],
)
def test_import_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None,
                          message: str) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    db = tmp_path / "p.db"
    assert quiz.cli.main(["--db", str(db), "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("nnprep: ")


def test_unusable_databases_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"definitely not sqlite" * 100)
    assert quiz.cli.main(["--db", str(bad), "stats"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and err.count("\n") == 1
    assert quiz.cli.main(["--db", "/proc/nnprep.db", "stats"]) == 2
    err = capsys.readouterr().err
    assert "/proc/nnprep.db" in err and "--db" in err and "NNPREP_DB" in err


def test_export_to_unwritable_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert quiz.cli.main(["--db", str(tmp_path / "p.db"), "export", "/proc/nnprep-export.json"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_topic_mappings_fall_back_without_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    import questions

    monkeypatch.undo()  # the real _topic_mappings

    def missing(name: str) -> object:
        raise AttributeError(name)

    monkeypatch.setattr(questions, "__getattr__", missing, raising=False)
    monkeypatch.delattr(questions, "load_bank", raising=False)
    monkeypatch.delattr(questions, "load_task_texts", raising=False)
    assert progress_cmd._topic_mappings() == ({}, {})


def test_topic_mappings_fall_back_when_loaders_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    import questions

    monkeypatch.undo()

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("bank is being rewritten")

    monkeypatch.setattr(questions, "load_bank", broken, raising=False)
    monkeypatch.setattr(questions, "load_task_texts", broken, raising=False)
    assert progress_cmd._topic_mappings() == ({}, {})


def test_topic_mappings_from_real_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the real loaders (whatever the bank holds today) every mapped topic is a known topic."""
    from questions.schema import TOPICS

    monkeypatch.undo()
    items, tasks = progress_cmd._topic_mappings()
    assert set(items.values()) <= set(TOPICS) and set(tasks.values()) <= set(TOPICS)


def test_db_in_a_missing_folder_is_exit_2_and_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    monkeypatch.setenv("NNPREP_DB", str(missing))
    assert quiz.cli.main(["stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and str(missing.parent) in err
    assert quiz.cli.main(["--db", str(missing), "export", "-"]) == 2
    assert not (tmp_path / "no").exists()


def test_db_that_is_a_fifo_is_exit_2_without_hanging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "p.db"
    os.mkfifo(fifo)
    with time_bound(20):
        assert quiz.cli.main(["--db", str(fifo), "stats"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a regular file" in err and str(fifo) in err


def test_export_into_a_missing_folder_is_exit_2_and_creates_nothing(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "export.json"
    assert quiz.cli.main(["--db", str(tmp_path / "p.db"), "export", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == f"nnprep: {out}: folder {out.parent} does not exist\n"
    assert not out.parent.exists()
