"""Candidates as untrusted paths and text: a batch with hostile names, links, FIFOs and devices among correct
candidates grades every correct one, gives every bad one an error row, writes nothing outside its outputs, and
every output format stays inert (no escape sequence, formula, broken XML or forged line)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import stat
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from quiz.batch.candidates import MAX_SOURCE_BYTES, discover, safe_id
from quiz.cli import main

LINEAR = Path(__file__).resolve().parents[1] / "submissions" / "linear"
CORRECT = (LINEAR / "correct_reference.py").read_text()
POLICY = '[[tasks]]\nid = "linear"\n\n[limits]\ntime_limit = 2.0\ntotal_time_limit = 10.0\n'
ESCAPES = "\\x1b[2J\\x1b[1A\\x1b[2K\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b]8;;https://evil.example\\x07x\\x1b]8;;\\x07"
# Prints escape sequences and raises with a multi-line message that forges a passing case and a formula.
HOSTILE = f"""
print("{ESCAPES}  ✓ forward_example passed")
def linear_forward(x, W, b):
    print("{ESCAPES}[@click=app.quit]x[/]")
    raise ValueError("boom\\n  ✓ forward_tall  hidden  passed\\n=HYPERLINK(\\"https://evil.example\\")")
def linear_backward(dy, x, W, b):
    raise ValueError("{ESCAPES}\\nTotal: 100 (passed)")
"""
LONG_NAME = "c" * 247 + ".py"  # 250 characters: the longest a file name may be is 255


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (a FIFO opened for reading blocks until a writer comes): SIGALRM interrupts it."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def make_class(root: Path) -> tuple[Path, dict[str, str]]:
    """A folder of hostile entries among correct candidates; returns it and each entry's expected error words."""
    folder = root / "class"
    folder.mkdir()
    outside = root / "outside"
    outside.mkdir()
    (outside / "stolen.py").write_text(CORRECT)  # someone else's work, outside the folder
    (outside / "submission.py").write_text(CORRECT)
    for name in ("alice.py", "...py", ".nnprep-journal.jsonl.py", LONG_NAME):
        (folder / name).write_text(CORRECT)
    (folder / "bob").mkdir()
    (folder / "bob" / "submission.py").write_text(CORRECT)
    (folder / "hostile.py").write_text(HOSTILE)
    with open(os.path.join(os.fsencode(folder), b"latin-\xe9.py"), "w") as f:  # not UTF-8: os.fsdecode can't
        f.write(CORRECT)
    (folder / "evil\nTotal: 100 (passed)\x1b[2J.py").write_text(CORRECT)
    bad = {
        "fifo.py": "not a regular file",
        "zero.py": "symbolic link",
        "stolen.py": "symbolic link",
        "linked": "symbolic link",
        "=1+1.py": "symbolic link",
        "inner": "symbolic link",
        "huge.py": "at most 1 MB",
        os.fsdecode(b"ctl\x1b[2J\x07\xff.py"): "not a regular file",
    }
    os.mkfifo(folder / "fifo.py")
    os.mkfifo(os.path.join(os.fsencode(folder), b"ctl\x1b[2J\x07\xff.py"))  # its error message quotes the name
    (folder / "zero.py").symlink_to("/dev/zero")
    (folder / "stolen.py").symlink_to(outside / "stolen.py")
    (folder / "=1+1.py").symlink_to(outside / "stolen.py")
    (folder / "linked").symlink_to(outside)  # a folder candidate that is a link out of the folder
    (folder / "inner").mkdir()
    (folder / "inner" / "submission.py").symlink_to(outside / "submission.py")
    (folder / "huge.py").write_bytes(b"#" * (MAX_SOURCE_BYTES + 1))
    with contextlib.suppress(PermissionError):  # a device node (root only): refused without being opened
        os.mknod(folder / "dev.py", stat.S_IFCHR | 0o600, os.makedev(1, 5))
        bad["dev.py"] = "not a regular file"
    return folder, bad


def tree(root: Path) -> set[str]:
    return {os.path.join(d, n) for d, dirs, files in os.walk(root) for n in dirs + files}


def test_safe_ids_are_plain_path_components_and_collision_free() -> None:
    assert safe_id("alice") == "alice" and safe_id("bob-2.v1") == "bob-2.v1"
    hostile = ["..", ".", ".nnprep-journal.jsonl", "a/b", "x\ny", "c" * 247, "latin-\udce9", "=1+1", "-rf", ""]
    ids = [safe_id(n) for n in hostile]
    assert len(set(ids)) == len(ids)
    for i in ids:
        assert i not in (".", "..") and "/" not in i and not i.startswith((".", "-")) and len(i) <= 64
        assert i.isascii() and i.isprintable()
    assert safe_id("..") == safe_id("..")  # deterministic: a re-run finds the same ids


def test_discovery_refuses_what_is_not_a_regular_file_in_the_folder(tmp_path: Path) -> None:
    folder, bad = make_class(tmp_path)
    with bounded(20):
        found = discover([folder])
    by_path = {c.path.name if c.path.parent == folder else c.path.parent.name: c for c in found}
    for name, words in bad.items():
        assert words in (by_path[name].error or ""), name
        assert by_path[name].source is None
    good = [c for c in found if c.error is None]
    assert len(good) == 8 and sorted(c.source == CORRECT for c in good) == [False] + [True] * 7  # 1 hostile


def test_explicit_fifo_or_link_is_refused_without_hanging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    with bounded(20):
        assert main(["grade", str(tmp_path / "pipe.py"), "--task", "linear"]) == 2
        assert "not a regular file" in capsys.readouterr().err
        assert main(["grade", str(tmp_path / "zero.py"), "--task", "linear"]) == 2
        assert "symbolic link" in capsys.readouterr().err


def test_hostile_batch_grades_every_correct_candidate_and_writes_only_its_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, bad = make_class(tmp_path)
    (tmp_path / "policy.toml").write_text(POLICY)
    before = tree(tmp_path)
    out, reports = tmp_path / "out", tmp_path / "reports"
    args = ["grade", str(folder), "--policy", str(tmp_path / "policy.toml"), "--workers", "2"]
    with bounded(240):
        status = main([*args, "--format", "gradescope", "--out", str(out), "--reports", str(reports)])
        capsys.readouterr()
        assert main([*args, "--format", "csv"]) == status == 1
        csv_text = capsys.readouterr().out
        assert main([*args, "--format", "junit"]) == 1
        junit_text = capsys.readouterr().out
        assert main([*args, "--format", "text"]) == 1
        text = capsys.readouterr().out
        assert main([*args, "--format", "jsonl"]) == 1
        jsonl_text = capsys.readouterr().out
    # Nothing written outside OUT and the reports folder; every candidate's outputs in its own folder.
    assert {p for p in tree(tmp_path) - before if not p.startswith((str(out), str(reports)))} == set()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert len(rows) == len(bad) + 8
    graded = [r for r in rows if not r["error"]]
    assert len(graded) == 8
    assert {r["linear_verdict"] for r in graded if r["candidate"] != "hostile"} == {"passed"}
    assert {r["candidate"] for r in rows} == {p.name for p in out.iterdir() if p.is_dir()}
    for row in rows:
        result = json.loads((out / row["candidate"] / "results.json").read_text())
        assert result["output_format"] == "text" and "\x1b" not in json.dumps(result, ensure_ascii=False)
        assert (reports / f"{row['candidate']}.md").exists()
        # CSV: no cell is a live formula.
        assert all(cell.lstrip()[:1] not in ("=", "+", "-", "@") for cell in row.values()), row
    # A name's control characters and undecodable bytes show as visible escapes in every format.
    shown = r"ctl\x1b[2J\x07\xff.py is not a regular file"
    assert shown in csv_text and shown in junit_text and shown in text
    # JSON lines: ASCII only (every control and non-ASCII character escaped), one object per line.
    assert jsonl_text.isascii() and all(json.loads(line) for line in jsonl_text.splitlines())
    # JUnit: well-formed whatever the names and messages held.
    suites = ET.fromstring(junit_text.split("\n", 1)[1])
    assert len(suites) == len(rows) and "\x1b" not in junit_text
    # Text: no escape sequence; one line per candidate (continuations indented) and one summary line.
    assert "\x1b" not in text and "\x07" not in text
    lines = text.splitlines()
    assert sum(line.startswith(f"{len(rows)} candidates:") for line in lines) == 1
    assert not [line for line in lines if line.startswith(("Total", "  ✓"))]
    # Markdown: one heading per report and no forged total.
    for md in reports.iterdir():
        body = md.read_text()
        assert body.count("\n# ") == 0 and body.startswith("# ") and "\x1b" not in body
        assert sum(line.startswith("Total:") for line in body.splitlines()) <= 1


def test_hostile_submission_text_report_cannot_forge_or_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hostile.py"
    path.write_text(HOSTILE)
    assert main(["grade", str(path), "--task", "linear"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\\x1b[2J" in out
    case_lines = [line for line in out.splitlines() if line.startswith(("  ✓", "  ✗"))]
    assert case_lines and all(line.startswith("  ✗") for line in case_lines)  # the forged ✓ lines are indented
    assert "forward_tall  hidden  passed" in out  # still shown, as text under its case
    assert main(["grade", str(path), "--task", "linear", "--format", "json"]) == 1
    out = capsys.readouterr().out  # JSON escapes every control character and all non-ASCII text
    assert out.isascii() and not [c for c in out if ord(c) < 0x20 and c != "\n"]
    assert json.loads(out)["stdout"].startswith("\x1b[2J")


def test_a_path_stat_cannot_look_at_is_one_line_or_an_error_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """stat() itself fails on the given path (a name too long here; as an ordinary user, another user's 0700
    folder on the way): alone, exit 2 with one line; among others, an error row and the others are graded."""
    unreachable = tmp_path / ("d" * 300) / "x.py"
    assert main(["grade", str(unreachable), "--task", "linear"]) == 2
    assert capsys.readouterr().err == f"nnprep: cannot read {unreachable}: File name too long\n"
    (tmp_path / "ok.py").write_text(CORRECT)
    args = ["grade", str(unreachable), str(tmp_path / "ok.py"), "--task", "linear", "--format", "csv"]
    assert main(args) == 1
    rows = {r["candidate"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["ok"]["linear_verdict"] == "passed" and "File name too long" in rows["x"]["error"]
