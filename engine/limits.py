"""Resource limits for running a submission."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Limits applied to the sandboxed child that runs candidate code.

    Defaults fit NumPy with one BLAS thread and the small cases of the tasks. A stdlib dataclass (checked in
    ``__post_init__``), so that grading one file does not have to import pydantic; pydantic still validates it
    wherever limits arrive as data.
    """

    time_limit: float = 2.0
    """Wall seconds for one call (and for importing the file)."""
    total_time_limit: float = 20.0
    """Wall seconds for the whole submission."""
    memory_mb: int = 1024
    """Address-space limit of the child in MiB."""
    max_processes: int = 64
    """Processes and threads the child may have."""
    max_file_mb: int = 16
    """Largest file the child may write, MiB."""
    max_open_files: int = 64
    """Open file descriptors of the child."""
    max_output_kb: int = 64
    """Captured stdout+stderr kept, KiB; more is an error."""
    tmp_mb: int = 64
    """Size of the child's private /tmp (a tmpfs, where the OS allows one), MiB. Its pages are memory outside
    ``memory_mb``, freed when the child ends."""
    tmp_inodes: int = 2048
    """Files and folders the child may create in its private /tmp."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            whole = f.type == "int"
            right_type = isinstance(value, int if whole else int | float) and not isinstance(value, bool)
            if not right_type or not math.isfinite(value):
                kind = "a whole number" if whole else "a finite number"
                raise ValueError(f"limit {f.name} must be {kind}, not {value!r}")
            low, strict = _LOWEST[f.name]
            if value < low or (strict and value == low):
                raise ValueError(f"limit {f.name} must be {'>' if strict else '>='} {low}, not {value!r}")


# The smallest value each limit may take, and whether that value itself is excluded.
_LOWEST: dict[str, tuple[float, bool]] = {
    "time_limit": (0, True),
    "total_time_limit": (0, True),
    "memory_mb": (64, False),
    "max_processes": (1, False),
    "max_file_mb": (1, False),
    "max_open_files": (16, False),
    "max_output_kb": (1, False),
    "tmp_mb": (1, False),
    "tmp_inodes": (16, False),
}
