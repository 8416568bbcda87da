"""Test helpers that lay out Python installs: copying installed distributions into another site-packages."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path


def distributions(names: tuple[str, ...]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``names`` need, dependencies included."""
    from packaging.requirements import Requirement

    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in found:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        found[name] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return list(found.values())


def copy_distributions(names: tuple[str, ...], site: Path) -> None:
    """Copy the files of ``names`` and their dependencies, as installed here, into the folder ``site``."""
    for dist in distributions(names):
        for file in dist.files or []:
            if ".." in file.parts or "__pycache__" in file.parts:
                continue  # console scripts live outside site-packages; bytecode is rebuilt
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(str(dist.locate_file(file))), target)
