"""Checks an output path before any work is done, so that "cannot write there" is a one-line usage error up front
(exit 2 naming the path), not an internal error after a long batch, and a typo in a folder name is never created
silently."""

from __future__ import annotations

import os
from pathlib import Path


def output_problem(path: Path, *, folder: bool = False) -> str | None:
    """Why ``path`` cannot be used as an output, or None when it can.

    A file output must be a regular file or absent, in an existing folder we may write in (outputs are replaced
    atomically: a temporary file in that folder renamed over the target). A folder output (``folder=True``) may be
    absent, then it is created inside an existing, writable parent; if present it must be a writable folder.
    """
    path = path.expanduser()
    try:
        return _problem(path, folder)
    except OSError as e:  # a folder on the way we may not even look into (another user's home, say)
        return f"{path}: cannot be reached ({e.strerror or e})"


def _problem(path: Path, folder: bool) -> str | None:
    parent = path.parent
    if folder and path.exists():
        if not path.is_dir():
            return f"{path}: not a folder"
        target = path
    else:
        if not folder and path.is_dir():
            return f"{path}: is a folder; give a file name"
        if not folder and path.exists() and not path.is_file():
            return f"{path}: not a regular file"
        if not parent.is_dir():
            return f"{path}: folder {parent} does not exist"
        target = parent
    if not os.access(target, os.W_OK | os.X_OK):
        return f"{path}: cannot write in folder {target} (permission denied)"
    return None
