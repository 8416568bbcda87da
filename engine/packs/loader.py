"""Load a pack: validate ``pack.toml``, import each task module BY PATH (instructor code, run in this process)."""

from __future__ import annotations

import hashlib
import importlib
import sys
import tomllib
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from pydantic import ValidationError

from engine.packs.gradients import ReferenceGradient
from engine.packs.manifest import PackManifest, PackTaskEntry
from engine.task import Task

SHIPPED = Path(__file__).parent / "shipped"  # the packs nnprep ships (``--pack cs231n``)
MANIFEST = "pack.toml"


class PackError(ValueError):
    """A pack that cannot be used; the one-line message names the file and, where there is one, the field."""


@dataclass
class PackTask:
    """One loaded task: its manifest entry, the engine task (id qualified as ``<pack>.<id>``) and its files."""

    entry: PackTaskEntry
    task: Task
    text_path: Path
    solution_path: Path
    wrong: list[tuple[Path, str]] = field(default_factory=list)
    gradient_checks: Callable[[np.random.Generator], Sequence[ReferenceGradient]] | None = None


@dataclass
class Pack:
    """A loaded pack: its folder, its manifest and its tasks in manifest order."""

    root: Path
    manifest: PackManifest
    tasks: list[PackTask]
    fingerprint: str = ""  # of the files grading reads, as they were when the pack was loaded (see fingerprint())

    @property
    def id(self) -> str:
        return self.manifest.id

    def qualified(self, task_id: str) -> str | None:
        """The grading id of ``task_id`` (a local id like ``affine`` or a qualified ``cs231n.affine``), or None."""
        for t in self.tasks:
            if task_id in (t.entry.id, t.task.id):
                return t.task.id
        return None


def resolve_pack(name: str | Path) -> Path:
    """The folder of a pack given as a path, or as the name of a pack nnprep ships (``cs231n``)."""
    path = Path(name)
    if path.is_dir():
        return path
    shipped = SHIPPED / str(name)
    if str(name).isidentifier() and (shipped / MANIFEST).is_file():
        return shipped
    if path.exists():
        raise PackError(f"{path}: a pack is a folder holding {MANIFEST}")
    raise PackError(f"{name}: no such pack folder (shipped packs: {', '.join(shipped_names()) or 'none'})")


def shipped_names() -> list[str]:
    return sorted(p.name for p in SHIPPED.iterdir() if (p / MANIFEST).is_file()) if SHIPPED.is_dir() else []


def read_manifest(root: Path) -> PackManifest:
    """The validated ``pack.toml`` of ``root``."""
    path = root / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(f"{path}: missing (a pack folder holds {MANIFEST})") from None
    except OSError as e:
        raise PackError(f"{path}: cannot read: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise PackError(f"{path}: not valid TOML: {e}") from None
    try:
        return PackManifest.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise PackError(f"{path}: {where}: {first['msg']}") from None


def load_pack(name: str | Path) -> Pack:
    """Load the pack at ``name`` (a folder, or a shipped pack's name): PackError names the file and field of any
    problem. Imports the task modules, which runs the instructor's code in this process."""
    root = resolve_pack(name).resolve()
    manifest = read_manifest(root)
    before = fingerprint(root, manifest)
    package = _package(root, manifest.id)
    seen: set[str] = set()
    tasks: list[PackTask] = []
    for index, entry in enumerate(manifest.tasks):
        where = f"{root / MANIFEST}: tasks.{index}"
        if entry.id in seen:
            raise PackError(f"{where}.id: task {entry.id!r} appears twice")
        seen.add(entry.id)
        files = {"module": entry.module, "text": entry.text, "solution": entry.solution}
        files.update({f"wrong.{i}.file": w.file for i, w in enumerate(entry.wrong)})
        for field_name, rel in files.items():
            if not (root / rel).is_file():
                raise PackError(f"{where}.{field_name}: no file {rel}")
        module = _import(root, package, entry.module)
        task = getattr(module, "TASK", None)
        if not isinstance(task, Task):
            raise PackError(f"{root / entry.module}: TASK: must be an engine.task.Task (the task's definition)")
        if task.id != entry.id:
            raise PackError(f"{root / entry.module}: TASK.id: is {task.id!r}, pack.toml says {entry.id!r}")
        task.id = f"{manifest.id}.{entry.id}"
        task._cases = None
        try:
            task.cases()  # the visible examples, once: a generator that fails is the pack's fault, said here
        except Exception as e:
            raise PackError(f"{root / entry.module}: TASK.make_cases: {type(e).__name__}: {e}") from None
        checks = getattr(module, "GRADIENT_CHECKS", None)
        if checks is not None and not callable(checks):
            raise PackError(f"{root / entry.module}: GRADIENT_CHECKS: must be a function of a Generator")
        tasks.append(PackTask(
            entry=entry, task=task, text_path=root / entry.text, solution_path=root / entry.solution,
            wrong=[(root / w.file, w.diagnosis) for w in entry.wrong], gradient_checks=checks,
        ))
    return Pack(root=root, manifest=manifest, tasks=tasks, fingerprint=before)


def fingerprint(root: Path, manifest: PackManifest) -> str:
    """A digest of what grading with the pack reads: pack.toml and every Python file in the folder except the
    shipped solutions and wrong files. Two loads with the same fingerprint grade alike."""
    skip = {PurePosixPath(e.solution) for e in manifest.tasks}
    skip |= {PurePosixPath(w.file) for e in manifest.tasks for w in e.wrong}
    digest = hashlib.sha256()
    for path in sorted([root / MANIFEST, *root.rglob("*.py")]):
        rel = PurePosixPath(path.relative_to(root).as_posix())
        if rel in skip or "__pycache__" in rel.parts or not path.is_file():
            continue
        digest.update(f"{rel}\0{path.stat().st_size}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_root_in_use: Path | None = None
_fingerprint_in_use = ""


def use_pack(pack: Pack) -> None:
    """Make the pack's tasks gradeable by their qualified ids and the catalogue ``engine.all_tasks`` lists."""
    global _root_in_use, _fingerprint_in_use
    from engine.tasks import use_tasks

    use_tasks([t.task for t in pack.tasks])
    _root_in_use, _fingerprint_in_use = pack.root, pack.fingerprint


def pack_in_use() -> Path | None:
    """The folder of the pack last put in use in this process (None: the built-in tasks), for worker processes
    that must load it too (they start from a fresh interpreter, not a copy of this one)."""
    return _root_in_use


def pack_fingerprint_in_use() -> str:
    """The :func:`fingerprint` of the pack in use when it was loaded ("" for the built-in tasks): a worker that
    loads the pack again compares, so that one batch is never graded by two versions of a pack."""
    return _fingerprint_in_use


def _package(root: Path, pack_id: str) -> str:
    """A fresh synthetic package for the pack's folder, so its modules can import each other
    (``from ._common import ...``)."""
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:10]
    name = f"nnprep_pack_{pack_id}_{digest}"
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]  # loading again imports the files afresh (they may have changed)
    package = types.ModuleType(name, f"nnprep task pack {pack_id} ({root})")
    package.__path__ = [str(root)]
    package.__file__ = str(root / MANIFEST)
    sys.modules[name] = package
    return name


def _import(root: Path, package: str, rel: str) -> types.ModuleType:
    parts = PurePosixPath(rel).with_suffix("").parts
    if not all(p.isidentifier() for p in parts):
        raise PackError(f"{root / rel}: module: each part of the path must be a Python identifier")
    try:
        return importlib.import_module(".".join((package, *parts)))
    except PackError:
        raise
    except Exception as e:  # the instructor's code failed: say where, in one line
        tb = e.__traceback__
        line = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.startswith(str(root)):
                line = f"{Path(tb.tb_frame.f_code.co_filename).name} line {tb.tb_lineno}"
            tb = tb.tb_next
        text = str(e).splitlines()[0] if str(e) else ""
        raise PackError(f"{root / rel}: cannot import ({line or 'at import'}): {type(e).__name__}: {text}") from None
