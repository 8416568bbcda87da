"""Several processes at once, and a process killed right after an attempt was acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quiz.store import Store
from tests.store.conftest import REPO

WRITER = """
import sys
from quiz.store import Store
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
print("READY", flush=True)
sys.stdin.readline()  # start together
with Store(path) as s:
    for i in range(n):
        s.record_attempt(f"{name}.{i}", "item", answer=str(i), correct=i % 2 == 0)
print("DONE", flush=True)
"""

KILLED = """
import sys, time
from datetime import datetime, UTC
from quiz.store import Store
s = Store(sys.argv[1])
s.record_attempt("acked.item", "item", answer="42", correct=True, at=datetime(2025, 3, 14, tzinfo=UTC))
print("ACK", flush=True)
time.sleep(60)  # never closes: the parent kills us
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NNPREP_DB", None)
    return env


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=REPO, env=_env(), text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("precreate", [False, True], ids=["racing-creation", "existing-db"])
def test_two_writers_no_lock_errors(tmp_path: Path, precreate: bool) -> None:
    """2 x 300 attempts at once; with racing-creation both processes also create and migrate the file."""
    path = tmp_path / "progress.db"
    if precreate:
        Store(path).close()
    n = 300
    procs = [_spawn(WRITER, str(path), name, str(n)) for name in ("a", "b")]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "READY"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err and out.strip() == "DONE"
    with Store(path) as s:
        assert s.count_attempts() == 2 * n
        ids = {a.target_id for a in s.attempts()}
    assert ids == {f"{name}.{i}" for name in ("a", "b") for i in range(n)}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_attempt_survives_sigkill_after_ack(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    p = _spawn(KILLED, str(path))
    assert p.stdout is not None
    line = p.stdout.readline().strip()
    p.send_signal(signal.SIGKILL)  # at once, on reading ACK
    p.wait(timeout=30)
    assert line == "ACK", p.stderr.read() if p.stderr else ""
    assert p.returncode == -signal.SIGKILL
    time.sleep(0.01)
    with Store(path) as s:
        [a] = s.attempts()
    assert (a.target_id, a.answer, a.correct) == ("acked.item", "42", True)
