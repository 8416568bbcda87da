"""Packs change the task catalogue in use (a global of engine.tasks): each test gets it back as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import engine.packs.loader as pack_loader
import engine.tasks as catalogue
from engine.packs.template import write_new_pack


@contextmanager
def catalogue_kept() -> Iterator[None]:
    """The catalogue in use (built-in or a pack's) as it was before the block."""
    saved = (dict(catalogue._pack_tasks), catalogue._catalogue, pack_loader._root_in_use,
             pack_loader._fingerprint_in_use)
    try:
        yield
    finally:
        catalogue._pack_tasks.clear()
        catalogue._pack_tasks.update(saved[0])
        catalogue._catalogue = saved[1]
        pack_loader._root_in_use, pack_loader._fingerprint_in_use = saved[2], saved[3]  # what batch workers load


@pytest.fixture(autouse=True)
def _restore_catalogue() -> Iterator[None]:
    with catalogue_kept():
        yield


@pytest.fixture
def new_pack(tmp_path: Path) -> Path:
    """A fresh copy of what `nnprep pack new` writes."""
    folder = tmp_path / "course"
    write_new_pack(folder)
    return folder
