"""A batch with one hostile candidate of each kind, each between two correct ones, graded by ONE worker (so one
sandbox and one zygote see every candidate in turn): every correct candidate passes, no hostile one is an internal
error, and nothing a candidate did outlives its grade (SysV IPC, temp files, a clean-up trap's link).

Every hostile program is SELF-BOUNDED (fixed sizes and counts, loops that stop by their own clock), so it cannot
harm the machine even if the sandbox failed.
"""

from __future__ import annotations

import csv
from pathlib import Path

from engine import all_tasks
from quiz.cli import main
from tests.batch.test_untrusted_candidates import bounded
from tests.sandbox.conftest import CORRECT, WRONG_FUNCS, src
from tests.sandbox.test_channel import (
    GARBAGE_AFTER_VALID,
    HUGE_WRONG_SHAPE,
    MUTATE_AND_COVER,
    cleanup_trap,
    forging,
)

# Leaves SysV shared memory (4 x 1 MiB) and message queues behind, and says whether it could.
SYSV_LEFT_BEHIND = src("""
import ctypes
_libc = ctypes.CDLL(None, use_errno=True)
print("shm", [_libc.shmget(0, 1 << 20, 0o1600) for _ in range(4)], "msg", [_libc.msgget(0, 0o1600) for _ in range(2)])
""") + CORRECT

# Fills the temp dir (at most 4,000 files of 16 KiB, at most 3 s), then uses tempfile as a program would.
TMP_FLOOD = src("""
import os, tempfile, time
_end, _n = time.monotonic() + 3, 0
try:
    while _n < 4000 and time.monotonic() < _end:
        with open(os.path.join(tempfile.gettempdir(), f"flood{_n}"), "wb") as _f:
            _f.write(b"x" * 16384)
        _n += 1
except OSError as e:
    print("stopped after", _n, "files:", e.strerror)
""") + CORRECT

# Wrong, and slow in every forward call (1 s each; the cross-check calls it again).
SLOW_WRONG = "import time\n" + src(WRONG_FUNCS).replace(
    "def linear_forward(x, W, b):\n", "def linear_forward(x, W, b):\n    time.sleep(1.0)\n")


def every_tasks_names() -> str:
    """Right for linear; every other task's functions defined too (returning None)."""
    names = sorted({f.name for t in all_tasks() for f in t.functions} - {"linear_forward", "linear_backward"})
    return "".join(f"def {n}(*args, **kwargs):\n    return None\n\n" for n in names) + CORRECT


def _sysv_ids() -> list[str]:
    """This IPC namespace's shared memory segments and message queues (the grading process's, i.e. the host's)."""
    ids = []
    for table in ("shm", "msg"):
        path = Path("/proc/sysvipc") / table
        if path.exists():
            ids += [f"{table}:{line.split()[1]}" for line in path.read_text().splitlines()[1:]]
    return ids


def test_a_batch_worker_grades_every_correct_candidate_whatever_the_others_do(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep").write_text("x")
    hostile = {
        "forged_int": forging("int"), "forged_seconds": forging("seconds"), "forged_npy": forging("npy"),
        "garbage_after_valid": GARBAGE_AFTER_VALID, "mutate_and_cover": MUTATE_AND_COVER,
        "cleanup_trap": cleanup_trap(canary, depth=1200), "huge_wrong_shape": HUGE_WRONG_SHAPE,
        "sysv_left_behind": SYSV_LEFT_BEHIND, "tmp_flood": TMP_FLOOD, "slow_wrong": SLOW_WRONG,
        "every_tasks_names": every_tasks_names(), "wrong": src(WRONG_FUNCS),
    }
    (folder / "00_correct.py").write_text(CORRECT)
    for i, (name, source) in enumerate(hostile.items(), start=1):
        (folder / f"{i:02d}a_{name}.py").write_text(source)
        (folder / f"{i:02d}b_correct.py").write_text(CORRECT)
    policy = tmp_path / "policy.toml"
    policy.write_text('pass_mark = 60.0\n\n[[tasks]]\nid = "linear"\n\n[limits]\ntime_limit = 30.0\n'
                      'total_time_limit = 60.0\n')  # generous: nothing here hangs, and the machine may be loaded
    ipc_before = _sysv_ids()
    out = tmp_path / "out.csv"
    with bounded(600):
        code = main(["grade", str(folder), "--policy", str(policy), "--format", "csv", "--workers", "1",
                     "--out", str(out)])
    assert code == 1  # graded; not everyone passed
    rows = {r["candidate"]: r["linear_verdict"] for r in csv.DictReader(out.read_text().splitlines())}
    assert len(rows) == 2 * len(hostile) + 1
    assert rows["00_correct"] == "passed", rows
    for i, name in enumerate(hostile, start=1):
        assert rows[f"{i:02d}b_correct"] == "passed", (name, rows)
        assert rows[f"{i:02d}a_{name}"] not in ("", "internal_error"), (name, rows)
    assert rows["01a_forged_int"] == "runtime_error"
    assert rows["05a_mutate_and_cover"] == rows["07a_huge_wrong_shape"] == "wrong_answer"
    assert rows["06a_cleanup_trap"] == rows["08a_sysv_left_behind"] == rows["11a_every_tasks_names"] == "passed"
    assert rows["10a_slow_wrong"] == "wrong_answer"
    assert (canary / "keep").read_text() == "x"  # the trap's link was removed, not followed
    assert _sysv_ids() == ipc_before  # nothing left in the host's IPC namespace
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.csv.journal.jsonl", "canary", "class", "out.csv",
                                                           "policy.toml"]
