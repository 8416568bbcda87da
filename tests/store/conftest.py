"""Fixtures for the progress-store tests: a fresh database per test and a fixed clock."""

from __future__ import annotations

import hashlib
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import pytest

from quiz.store import Store

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never touch the user's real database."""
    monkeypatch.delenv("NNPREP_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "progress.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store(db_path) as s:
        yield s


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def time_bound(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) if the block blocks for ``seconds``: SIGALRM interrupts a blocking
    open() of a FIFO, and the handler's exception ends it. Main thread only."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"blocked for {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
