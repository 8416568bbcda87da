"""Output paths and the small CLI items: a bad --out is exit 2 naming the path before any grading, nothing is
created silently, --version."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from quiz.cli import main
from quiz.output_paths import output_problem

REPO = Path(__file__).resolve().parents[1]
CORRECT = (REPO / "tests" / "submissions" / "linear" / "correct_reference.py").read_text()
NOBODY = 65534


def test_output_problem_cases(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "file").write_text("x")
    missing = tmp_path / "missing" / "out.csv"
    assert output_problem(missing) == f"{missing}: folder {missing.parent} does not exist"
    assert output_problem(tmp_path) == f"{tmp_path}: is a folder; give a file name"
    assert output_problem(fifo) == f"{fifo}: not a regular file"
    assert output_problem(tmp_path / "file", folder=True) == f"{tmp_path / 'file'}: not a folder"
    assert output_problem(tmp_path / "missing" / "sub", folder=True) == (
        f"{tmp_path / 'missing' / 'sub'}: folder {tmp_path / 'missing'} does not exist")
    assert output_problem(tmp_path / "new.csv") is None
    assert output_problem(tmp_path / "file") is None  # replaced atomically
    assert output_problem(tmp_path / "newdir", folder=True) is None
    assert output_problem(tmp_path, folder=True) is None
    assert not (tmp_path / "missing").exists()


def _class(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "a.py").write_text(CORRECT)
    (folder / "b.py").write_text(CORRECT)
    return folder


@pytest.mark.parametrize(
    ("fmt", "out", "reports", "expected"),
    [
        ("csv", "missing/out.csv", None, "{tmp}/missing/out.csv: folder {tmp}/missing does not exist"),
        ("csv", ".", None, "{tmp}: is a folder; give a file name"),
        ("gradescope", "missing/deep/out", None, "{tmp}/missing/deep/out: folder {tmp}/missing/deep does not exist"),
        ("csv", "out.csv", "missing/reports", "{tmp}/missing/reports: folder {tmp}/missing does not exist"),
    ],
)
def test_bad_output_path_is_exit_2_before_grading(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str,
                                                  out: str, reports: str | None, expected: str) -> None:
    folder = _class(tmp_path)
    argv = ["grade", str(folder), "--task", "linear", "--format", fmt, "--out", str(tmp_path / out)]
    if reports is not None:
        argv += ["--reports", str(tmp_path / reports)]
    assert main(argv) == 2
    assert capsys.readouterr().err == "nnprep: " + expected.format(tmp=tmp_path) + "\n"
    assert not (tmp_path / "missing").exists()
    assert not (tmp_path / "out.csv").exists()  # refused before anything was graded or written


def test_out_that_cannot_even_be_looked_at_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """stat() itself fails (a name longer than the file system allows; as an ordinary user, a folder of another
    user's on the way): one line naming the path, not an internal error."""
    folder = _class(tmp_path)
    out = tmp_path / ("d" * 300) / "out.csv"
    assert main(["grade", str(folder), "--task", "linear", "--format", "csv", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"nnprep: {out}: cannot be reached (File name too long)\n"
    assert main(["grade", str(folder), "--task", "linear", "--format", "gradescope", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"nnprep: {out}: cannot be reached (File name too long)\n"


def test_out_that_is_a_fifo_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _class(tmp_path)
    fifo = tmp_path / "out.csv"
    os.mkfifo(fifo)
    assert main(["grade", str(folder), "--task", "linear", "--format", "csv", "--out", str(fifo)]) == 2
    assert capsys.readouterr().err == f"nnprep: {fifo}: not a regular file\n"
    assert not fifo.is_file()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out == f"nnprep {version('nnprep')}\n"


def _runnable_by_nobody(python: str) -> bool:
    probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python, "-c",
                            "import sys; assert sys.version_info >= (3, 11)"], capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user (as non-root, os.access is real)")
@pytest.mark.skipif(shutil.which("setpriv") is None, reason="no setpriv")
def test_unwritable_folder_as_an_ordinary_user() -> None:
    """As root permissions don't bite, so the check runs as uid 65534 (with a system Python it can run; the
    project's venv may sit under a 0700 home) against a root-owned folder: refused, and the refusal is right."""
    python = next((p for p in (os.path.realpath(sys.executable), "/usr/bin/python3") if _runnable_by_nobody(p)),
                  None)
    if python is None:
        pytest.skip("no Python >= 3.11 that uid 65534 can run")
    parent = next((p for p in ("/var/tmp", "/dev/shm") if os.path.isdir(p) and os.stat(p).st_mode & 0o001), None)
    if parent is None:
        pytest.skip("no folder every user can enter")
    base = Path(tempfile.mkdtemp(prefix="nnprep-out-", dir=parent))
    try:
        base.chmod(0o755)  # root's: others may enter and read, not write
        shutil.copy(REPO / "quiz" / "output_paths.py", base / "output_paths.py")
        target = base / "results.csv"
        (base / "private").mkdir(mode=0o700)  # another user's home: not even stat() gets through
        script = (
            "import sys\nfrom pathlib import Path\nsys.path.insert(0, sys.argv[1])\n"
            "from output_paths import output_problem\n"
            "print(output_problem(Path(sys.argv[2])))\n"
            "print(output_problem(Path(sys.argv[1]) / 'sub', folder=True))\n"
            "print(output_problem(Path(sys.argv[1]) / 'private' / 'out.csv'))\n"
            "print(output_problem(Path(sys.argv[1]) / 'private' / 'out', folder=True))\n"
            "try:\n    Path(sys.argv[2]).write_text('x')\nexcept PermissionError:\n    print('really denied')\n"
        )
        done = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python, "-I",
                               "-c", script, str(base), str(target)], capture_output=True, text=True, timeout=60,
                              cwd="/", env={"PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines() == [
            f"{target}: cannot write in folder {base} (permission denied)",
            f"{base / 'sub'}: cannot write in folder {base} (permission denied)",
            f"{base / 'private' / 'out.csv'}: cannot be reached (Permission denied)",
            f"{base / 'private' / 'out'}: cannot be reached (Permission denied)",
            "really denied",
        ]
    finally:
        shutil.rmtree(base)
