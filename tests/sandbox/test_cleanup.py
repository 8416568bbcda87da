"""Removing what a submission left in its temp dir: any depth, any permissions, never following a link out, and
never raising (the zygote calls it after every child)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.sandbox._cleanup import remove_tree


def _chain(top: Path, name: str, depth: int) -> None:
    """``depth`` nested folders called ``name`` under ``top``, made relative to each other (no long paths)."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = sub
        os.close(os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd))
    finally:
        os.close(fd)


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1  # type: ignore[assignment]
    return n


def test_a_tree_deeper_than_the_recursion_limit_and_path_max(tmp_path: Path) -> None:
    top = tmp_path / "run"
    top.mkdir()
    _chain(top, "d", 300)
    _chain(top, "n" * 250, 20)  # 5,000 characters of path: past PATH_MAX
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + 50)  # far less than the tree's depth: recursion would fail
    try:
        removed = remove_tree(str(top))
    finally:
        sys.setrecursionlimit(old)
    assert removed is True
    assert not top.exists()


def test_locked_folders_and_files_are_removed(tmp_path: Path) -> None:
    top = tmp_path / "run"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "f").write_text("x")
    (top / "a" / "g").write_text("y")
    os.chmod(top / "a" / "b" / "f", 0)
    os.chmod(top / "a" / "b", 0)
    os.chmod(top / "a", 0)
    assert remove_tree(str(top)) is True
    assert not top.exists()


def test_links_are_removed_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("x")
    top = tmp_path / "run"
    top.mkdir()
    os.symlink(outside, top / "dir_link")
    os.symlink(outside / "keep", top / "file_link")
    os.symlink(top, top / "loop")
    os.link(outside / "keep", top / "hard")  # a hard link: removing it leaves the original
    os.mkfifo(top / "fifo")
    assert remove_tree(str(top)) is True
    assert (outside / "keep").read_text() == "x"


def test_a_missing_path_a_file_and_a_link_at_the_top(tmp_path: Path) -> None:
    assert remove_tree(str(tmp_path / "nothing")) is True
    (tmp_path / "file").write_text("x")
    assert remove_tree(str(tmp_path / "file")) is True
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "keep").write_text("x")
    os.symlink(tmp_path / "target", tmp_path / "top_link")
    assert remove_tree(str(tmp_path / "top_link")) is True  # the link goes, not what it points to
    assert (tmp_path / "target" / "keep").exists()


def test_what_cannot_be_removed_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = tmp_path / "run"
    (top / "stuck").mkdir(parents=True)
    (top / "stuck" / "f").write_text("x")
    (top / "other").mkdir()
    real_rmdir = os.rmdir

    def refuse(path: str, *, dir_fd: int | None = None) -> None:
        if path == "stuck":
            raise PermissionError(1, "Operation not permitted")
        real_rmdir(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "rmdir", refuse)
    assert remove_tree(str(top)) is False
    assert sorted(os.listdir(top)) == ["stuck"]  # everything else went
    monkeypatch.setattr(os, "scandir", lambda *_a: (_ for _ in ()).throw(OSError(5, "I/O error")))
    assert remove_tree(str(top)) is False


NON_ROOT_CHECK = """
import os, sys
sys.path.insert(0, sys.argv[1])
from _cleanup import remove_tree
top = os.path.join(sys.argv[2], "run")
os.mkdir(top)
os.chdir(top)
fd = os.open(".", os.O_RDONLY)
for _ in range(300):
    os.mkdir("d")
    os.chdir("d")
os.fchdir(fd)
os.makedirs("locked/inner/deeper")
open("locked/inner/f", "w").close()
for path in ("locked/inner/deeper", "locked/inner", "locked"):
    os.chmod(path, 0)
os.mkdir("wx")
open("wx/f", "w").close()
os.chmod("wx", 0o100)  # may be entered, not listed
os.chdir("/")
print(os.geteuid(), remove_tree(top), os.path.lexists(top))
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not os.path.isdir("/var/tmp"),
                    reason="needs root (to switch to an ordinary uid) and setpriv")
def test_locked_folders_are_removed_by_an_ordinary_user() -> None:
    """As an ordinary user (no CAP_DAC_OVERRIDE) locked folders must be unlocked before they can be emptied."""
    folder = tempfile.mkdtemp(prefix="nnprep-cleanup-", dir="/var/tmp")
    try:
        os.chmod(folder, 0o777)
        code = Path(folder) / "_cleanup.py"
        code.write_text((Path(remove_tree.__code__.co_filename)).read_text())
        code.chmod(0o644)
        python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable  # stdlib only
        out = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-I", "-c", NON_ROOT_CHECK,
             folder, folder],
            capture_output=True, text=True, timeout=120, cwd="/",
        )
        assert out.stdout.split() == ["65534", "True", "False"], out.stderr
    finally:
        remove_tree(folder)
