"""A candidate's results, and the journal that makes a batch resumable (one JSON line per finished candidate)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from engine import GradeReport


class CandidateResult(BaseModel):
    """Everything graded for one candidate. ``error`` is set when the candidate could not be graded at all."""

    candidate: str
    path: str
    error: str | None = None
    reports: list[GradeReport] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=dict)
    total: float = 0.0
    passed: bool = False
    passed_by: str = ""
    """The rule that decided ``passed``: "verdict" (every task's verdict passed) or "pass mark N" (the policy's)."""
    seconds: float = 0.0


def weighted_total(reports: list[GradeReport], weights: dict[str, float]) -> float:
    """Total out of 100: each task's score share weighted by its weight."""
    total_weight = sum(weights.get(r.task, 1.0) for r in reports)
    if not reports or total_weight <= 0:
        return 0.0
    share = sum(weights.get(r.task, 1.0) * r.score / r.max_score for r in reports)
    return round(100.0 * share / total_weight, 4)


class Journal:
    """Append-only record of finished candidates; a re-run with the same output skips what it holds."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, CandidateResult]:
        """Finished candidates by id; a torn last line (a crash mid-write) is ignored."""
        done: dict[str, CandidateResult] = {}
        if not self.path.exists():
            return done
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                result = CandidateResult.model_validate_json(line)
            except (ValidationError, ValueError):
                continue
            done[result.candidate] = result
        return done

    def append(self, result: CandidateResult) -> None:
        """Write one finished candidate, flushed to the OS before returning: it survives the end of this process
        (ctrl+c, SIGTERM, SIGKILL, a crash). Not fsynced: a power cut may lose the last lines, which a re-run
        simply grades again."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = result.model_dump_json() + "\n"
        with self.path.open("a", encoding="utf-8") as f:
            if f.tell() > 0 and not _ends_with_newline(self.path):
                f.write("\n")
            f.write(line)
            f.flush()

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) == b"\n"


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so a reader never sees half a file. The temporary file beside it has a short
    random name (never derived from ``path``'s name, which may already be near the length limit)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".nnprep-{secrets.token_hex(6)}.tmp"
    try:
        with tmp.open("x", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
