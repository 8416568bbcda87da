"""Finding candidates in files and folders, and the clear per-candidate errors for bad ones."""

from __future__ import annotations

from pathlib import Path

from quiz.batch.candidates import discover, tasks_defined


def _by_id(paths: list[Path]) -> dict[str, str | None]:
    return {c.id: c.error for c in discover(paths)}


def test_files_and_folders_are_candidates(tmp_path: Path) -> None:
    (tmp_path / "alice.py").write_text("def relu_forward(x):\n    return x\n")
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "whatever.py").write_text("x = 1\n")
    (tmp_path / "carol").mkdir()
    (tmp_path / "carol" / "submission.py").write_text("x = 1\n")
    (tmp_path / "carol" / "helper.py").write_text("y = 2\n")
    found = discover([tmp_path])
    assert [c.id for c in found] == ["alice", "bob", "carol"]
    assert all(c.error is None and c.source for c in found)
    assert found[2].path.name == "submission.py"


def test_bad_candidates_get_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no code")
    (tmp_path / "binary.py").write_bytes(b"\x7fELF\x00\x00")
    (tmp_path / "huge.py").write_bytes(b"#" * (50 * 1024 * 1024))
    (tmp_path / "just_over.py").write_bytes(b"#" * 1_000_001)  # was "1.0 MB; ... at most 1 MB"
    (tmp_path / "latin1.py").write_bytes(b"x = '\xe9'\n")
    (tmp_path / "broken.py").symlink_to(tmp_path / "missing-target.py")
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.py").write_text("")
    (tmp_path / "two" / "b.py").write_text("")
    errors = _by_id([tmp_path])
    assert "has no .py file" in (errors["empty"] or "")
    assert "binary file" in (errors["binary"] or "")
    assert "at most 1 MB" in (errors["huge"] or "")
    assert errors["just_over"] == "just_over.py is 1,000,001 bytes; a submission may be at most 1 MB (1,000,000)"
    assert "not UTF-8" in (errors["latin1"] or "")
    assert "symbolic link" in (errors["broken"] or "")
    assert "name one submission.py" in (errors["two"] or "")


def test_duplicate_ids_are_reported_not_merged(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "dana.py").write_text("x = 1\n")
    (tmp_path / "b" / "dana.py").write_text("x = 2\n")
    found = discover([tmp_path / "a", tmp_path / "b"])
    assert len(found) == 2
    assert all("duplicate candidate id 'dana'" in (c.error or "") for c in found)


def test_tasks_defined_reads_without_running() -> None:
    source = (
        "import os\nos._exit(3)\ndef relu_forward(x):\n    pass\ndef relu_backward(dy, x):\n    pass\n"
        "def linear_forward(x, W, b):\n    pass\ndef linear_backward(dy, x, W, b):\n    pass\n"
    )
    assert tasks_defined(source) == ["linear", "relu"]
    assert tasks_defined("def (:") == []


def test_a_task_is_graded_only_when_the_file_defines_all_its_functions() -> None:
    """One function of a task is not an attempt at it (a file that names every function of every task is graded on
    all of them, but within its file's time budget: tests/engine/test_bounded_parent.py)."""
    assert tasks_defined("def relu_forward(x):\n    pass\ndef linear_backward(dy, x, W, b):\n    pass\n") == []
    assert tasks_defined("def relu_forward(x):\n    pass\nrelu_backward = relu_forward\n") == ["relu"]
