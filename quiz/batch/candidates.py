"""Finding candidates: a candidate is a .py file, or a folder holding one; its id is the file or folder name."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000
PREFERRED_NAMES = ("submission.py", "solution.py", "main.py")


@dataclass(frozen=True)
class Candidate:
    """One candidate to grade: its id, where it came from, and its source or why it has none."""

    id: str
    path: Path
    source: str | None = None
    error: str | None = None


def read_submission(path: Path) -> tuple[str | None, str | None]:
    """(source, None) for a readable UTF-8 text file within the size limit, else (None, reason)."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            return None, f"{path.name} is {size / 1e6:.1f} MB; a submission may be at most 1 MB"
        data = path.read_bytes()
    except OSError as e:
        return None, f"cannot read {path.name}: {e.strerror or e}"
    if b"\0" in data:
        return None, f"{path.name} is a binary file, not Python source"
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, f"{path.name} is not UTF-8 text"


def _from_folder(folder: Path) -> Candidate:
    try:
        files = sorted(p for p in folder.iterdir() if p.suffix == ".py" and not p.is_dir())
    except OSError as e:
        return Candidate(folder.name, folder, error=f"cannot list {folder.name}/: {e.strerror or e}")
    if not files:
        return Candidate(folder.name, folder, error=f"{folder.name}/ has no .py file")
    if len(files) > 1:
        named = [p for p in files if p.name in PREFERRED_NAMES]
        if not named:
            listed = ", ".join(p.name for p in files[:5])
            return Candidate(
                folder.name,
                folder,
                error=f"{folder.name}/ has {len(files)} .py files ({listed}); name one submission.py",
            )
        files = named[:1]
    source, error = read_submission(files[0])
    return Candidate(folder.name, files[0], source, error)


def _from_file(path: Path) -> Candidate:
    source, error = read_submission(path)
    return Candidate(path.stem, path, source, error)


def discover(paths: list[Path]) -> list[Candidate]:
    """Candidates from the given paths: a file is one candidate; a folder is a folder of candidates, each of its
    .py files and each of its sub-folders (holding one .py file) being one. Duplicate ids are marked as errors,
    never merged."""
    found: list[Candidate] = []
    for path in paths:
        if path.is_file() or (path.suffix == ".py" and not path.is_dir()):
            found.append(_from_file(path) if path.exists() else Candidate(path.stem, path, error="no such file"))
        elif path.is_dir():
            found.extend(_from_root(path))
        else:
            found.append(Candidate(path.name, path, error=f"{path} does not exist"))
    counts = Counter(c.id for c in found)
    marked = []
    for c in found:
        if counts[c.id] > 1:
            others = ", ".join(str(o.path) for o in found if o.id == c.id)
            marked.append(Candidate(c.id, c.path, None, f"duplicate candidate id {c.id!r} ({others})"))
        else:
            marked.append(c)
    return marked


def _from_root(root: Path) -> list[Candidate]:
    try:
        entries = sorted(root.iterdir())
    except OSError as e:
        return [Candidate(root.name, root, error=f"cannot list {root}: {e.strerror or e}")]
    files = [e for e in entries if e.suffix == ".py" and not e.is_dir()]
    folders = [e for e in entries if e.is_dir() and not e.name.startswith((".", "__"))]
    return [_from_file(f) for f in files] + [_from_folder(d) for d in folders]


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
