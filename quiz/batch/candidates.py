"""Finding candidates: a candidate is a .py file, or a folder holding one; its id comes from the file or folder name.

A candidates' folder is untrusted: names may be any bytes, and entries may be symbolic links, FIFOs or devices.
Only regular files are read, opened relative to their folder without following a link (``O_NOFOLLOW``) and without
blocking (``O_NONBLOCK``: a FIFO never hangs discovery), at most ``MAX_SOURCE_BYTES`` of them, before any parsing.
A candidate that cannot be read gets an error row; the others are graded. Ids are safe path components
(``safe_id``), so a candidate's outputs can be written under ``OUT/<id>/`` whatever the name was.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000
PREFERRED_NAMES = ("submission.py", "solution.py", "main.py")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")
_NOT_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def safe_id(name: str) -> str:
    """A candidate's id from its file or folder name: the name itself when it is a plain one (letters, digits,
    ``._-``, not starting with a dot or dash, at most 64 characters), else a readable part and ``~`` with a hash of
    the exact name. Deterministic (a re-run finds the same ids) and collision-free: plain names never contain ``~``
    and different names hash differently. Always a single, harmless path component."""
    if _PLAIN_ID.fullmatch(name):
        return name
    readable = _NOT_ID_CHARS.sub("_", name).strip("._-")[:40] or "candidate"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{readable}~{digest}"


def path_text(path: Path | str) -> str:
    """A path as text that can always be encoded: undecodable bytes of a file name shown as ``\\xNN``. (It may
    still hold control characters: each output medium escapes those.)"""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class Candidate:
    """One candidate to grade: its safe id, where it came from, and its source or why it has none."""

    id: str
    path: Path
    source: str | None = None
    error: str | None = None

    @property
    def shown(self) -> str:
        """The path as text for messages and reports."""
        return path_text(self.path)


def read_submission(path: Path, dir_fd: int | None = None, label: str = "") -> tuple[str | None, str | None]:
    """(source, None) for a regular UTF-8 text file within the size limit, else (None, reason).

    With ``dir_fd`` the file is ``path.name`` in that open folder. A symbolic link is never followed and anything
    but a regular file (a FIFO, a device, a socket) is refused before it is opened; the file is opened without
    blocking, checked to be the same regular file, and read to at most the size limit. Messages name the file as
    ``label`` (default: its name)."""
    shown = label or path_text(path.name)
    name = path.name if dir_fd is not None else path
    try:
        before = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISLNK(before.st_mode):
            return None, f"{shown} is a symbolic link; only regular files are graded"
        if not stat.S_ISREG(before.st_mode):
            return None, f"{shown} is not a regular file"
        if before.st_size > MAX_SOURCE_BYTES:
            return None, f"{shown} is {before.st_size:,} bytes; a submission may be at most 1 MB ({MAX_SOURCE_BYTES:,})"
        data = _read_capped(name, dir_fd, (before.st_dev, before.st_ino))
    except OSError as e:
        return None, f"cannot read {shown}: {e.strerror or e}"
    if data is None:
        return None, f"{shown} changed while it was read, or grew past 1 MB"
    if b"\0" in data:
        return None, f"{shown} is a binary file, not Python source"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, f"{shown} is not UTF-8 text"


def _read_capped(name: str | Path, dir_fd: int | None, identity: tuple[int, int]) -> bytes | None:
    """The file's bytes, or None if it is no longer the regular file that was checked or exceeds the cap."""
    fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != identity:
            return None
        chunks, size = [], 0
        while size <= MAX_SOURCE_BYTES:
            chunk = os.read(fd, MAX_SOURCE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return None if size > MAX_SOURCE_BYTES else b"".join(chunks)
    finally:
        os.close(fd)


def _is_py(name: str) -> bool:
    return name.endswith(".py") and len(name) > 3


def _from_folder(root_fd: int, folder: Path) -> Candidate:
    """The candidate in sub-folder ``folder`` of the open root (never followed if it is a link)."""
    cid, shown = safe_id(folder.name), path_text(folder.name)
    try:
        fd = os.open(folder.name, _DIR_FLAGS | os.O_NOFOLLOW, dir_fd=root_fd)
    except OSError as e:
        return Candidate(cid, folder, error=f"cannot open {shown}/: {e.strerror or e}")
    try:
        with os.scandir(fd) as it:
            names = sorted(e.name for e in it if _is_py(e.name) and not e.is_dir(follow_symlinks=False))
        if not names:
            return Candidate(cid, folder, error=f"{shown}/ has no .py file")
        if len(names) > 1:
            named = [n for n in names if n in PREFERRED_NAMES]
            if not named:
                listed = ", ".join(path_text(n) for n in names[:5])
                return Candidate(
                    cid, folder, error=f"{shown}/ has {len(names)} .py files ({listed}); name one submission.py"
                )
            names = named[:1]
        source, error = read_submission(folder / names[0], fd, f"{shown}/{path_text(names[0])}")
        return Candidate(cid, folder / names[0], source, error)
    except OSError as e:
        return Candidate(cid, folder, error=f"cannot list {shown}/: {e.strerror or e}")
    finally:
        os.close(fd)


def _from_file(path: Path, dir_fd: int | None = None) -> Candidate:
    source, error = read_submission(path, dir_fd, path_text(path.name if dir_fd is not None else path))
    return Candidate(safe_id(path.name[:-3] if _is_py(path.name) else path.stem), path, source, error)


class OutputIsASubmission(ValueError):
    """An output path (``--out``, ``--reports``) is a candidate's submission: writing there would destroy it."""


def discover(paths: list[Path], outputs: Sequence[Path | None] = ()) -> list[Candidate]:
    """Candidates from the given paths: a file is one candidate; a folder is a folder of candidates, each of its
    .py files and each of its sub-folders (holding one .py file) being one. The given paths are the user's and
    are followed; nothing inside a folder is. Duplicate ids are marked as errors, never merged.

    ``outputs`` (the results file or folder, the reports folder) found among the candidates are left out when they
    hold no submission (the outputs of an earlier run inside the graded folder); one that holds a submission raises
    :class:`OutputIsASubmission`."""
    ours = {_identity(p) for p in outputs if p is not None} - {None}
    found: list[Candidate] = []
    for path in paths:
        if _identity(path) in ours:
            raise OutputIsASubmission(f"{path_text(path)} is being graded; write the results elsewhere")
        if os.path.isdir(path):  # False where not even stat() may look (another user's folder on the way)
            for c in _from_root(path):
                if ours and ours & {_identity(c.path), _identity(c.path.parent)} - {_identity(path)}:
                    if c.error is None:
                        raise OutputIsASubmission(f"{c.shown} is a candidate's submission; write the results "
                                                  "elsewhere")
                    continue
                found.append(c)
        elif _missing(path):
            found.append(Candidate(safe_id(path.stem), path, error=f"{path_text(path)}: no such file or folder"))
        else:  # read_submission says what is wrong with it, if anything (a link, a FIFO, no permission, ...)
            found.append(_from_file(path))
    counts = Counter(c.id for c in found)
    marked = []
    for c in found:
        if counts[c.id] > 1:
            others = ", ".join(o.shown for o in found if o.id == c.id)
            marked.append(Candidate(c.id, c.path, None, f"duplicate candidate id {c.id!r} ({others})"))
        else:
            marked.append(c)
    return marked


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _missing(path: Path) -> bool:
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def _from_root(root: Path) -> list[Candidate]:
    try:
        root_fd = os.open(root, _DIR_FLAGS)
    except OSError as e:
        return [Candidate(safe_id(root.name), root, error=f"cannot list {path_text(root)}: {e.strerror or e}")]
    try:
        with os.scandir(root_fd) as it:
            entries = sorted(it, key=lambda e: e.name)
        found = []
        for entry in entries:
            real_dir = entry.is_dir(follow_symlinks=False)
            if _is_py(entry.name) and not real_dir:
                found.append(_from_file(root / entry.name, root_fd))
            elif entry.name.startswith((".", "__")):
                continue
            elif real_dir:
                found.append(_from_folder(root_fd, root / entry.name))
            elif entry.is_symlink() and entry.is_dir():
                shown = path_text(entry.name)
                found.append(Candidate(safe_id(entry.name), root / entry.name,
                                       error=f"{shown} is a symbolic link; only real folders are graded"))
        return found
    except OSError as e:
        return [Candidate(safe_id(root.name), root, error=f"cannot list {path_text(root)}: {e.strerror or e}")]
    finally:
        os.close(root_fd)


def defined_names(source: str) -> set[str]:
    """Top-level function (and assigned) names, found by parsing only: the file is never executed here."""
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def tasks_defined(source: str) -> list[str]:
    """Tasks every one of whose functions the source defines, in catalogue order (a file that defines only
    linear_forward is not graded on linear)."""
    from engine import all_tasks

    names = defined_names(source)
    return [t.id for t in all_tasks() if all(f.name in names for f in t.functions)]
