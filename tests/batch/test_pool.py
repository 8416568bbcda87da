"""The local worker pool: workers start from a fork server (never forked from this multi-threaded process), a
failure of ours is one candidate's error row, and a worker killed from outside costs only its candidate."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import pytest

from quiz.batch.candidates import Candidate
from quiz.batch.policy import Policy
from quiz.cli import main
from tests.batch.test_untrusted_candidates import CORRECT, bounded

SPINS = (  # burns CPU until killed, bounded even if nothing killed it
    "import time\n"
    "def linear_forward(x, W, b):\n"
    "    end = time.monotonic() + 30\n"
    "    while time.monotonic() < end:\n"
    "        pass\n"
    "def linear_backward(dy, x, W, b):\n"
    "    return dy @ W, dy.T @ x, dy.sum(axis=0)\n"
)
LONG_LIMITS = '[[tasks]]\nid = "linear"\n\n[limits]\ntime_limit = 40.0\ntotal_time_limit = 60.0\n'
TICKS = os.sysconf("SC_CLK_TCK")


def test_a_grading_failure_of_ours_is_one_error_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a worker runs for each candidate turns an exception of ours into that candidate's error row."""
    import quiz.batch.pool as pool

    def fails(candidate: Candidate, policy: Policy, task_ids: object, runner: object) -> None:
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(pool, "grade_candidate", fails)
    boom = Candidate("boom", Path("boom.py"), CORRECT, None)
    row = pool.CandidateResult.model_validate_json(pool._grade_in_worker(boom, Policy().model_dump_json(), []))
    assert row.candidate == "boom" and row.error is not None
    assert row.error.startswith("internal error while grading (not the candidate's fault): UnicodeEncodeError")


def test_workers_come_from_the_fork_server_while_this_process_runs_threads(recwarn: pytest.WarningsRecorder) -> None:
    """With another thread running here, the pool grades, its workers are not children of this process (the fork
    server started them), and Python (3.12+) gives no fork-with-threads warning."""
    import multiprocessing

    from quiz.batch.pool import LocalPool

    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)
    busy.start()
    try:
        with LocalPool(2) as pool:
            candidates = [Candidate(f"c{i}", Path(f"c{i}.py"), CORRECT, None) for i in range(3)]
            results = list(pool.imap_unordered(candidates, Policy(), ["linear"]))
            workers = [p.pid for p in multiprocessing.active_children() if p.pid is not None]
            parents = {_parent(pid) for pid in workers}
    finally:
        stop.set()
        busy.join()
    assert sorted(r.candidate for r in results) == ["c0", "c1", "c2"] and all(r.passed for r in results), results
    assert workers and os.getpid() not in parents, (workers, parents)
    assert not [w for w in recwarn if "fork()" in str(w.message)], [str(w.message) for w in recwarn]


def test_a_pool_hides_the_home_of_its_own_start_not_the_fork_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fork server keeps the environment it started with; a pool started after HOME changed still gives its
    workers (and so their sandboxes) the HOME of now: the candidate cannot see the new home's files."""
    from engine.sandbox import Sandbox
    from quiz.batch.pool import LocalPool

    with Sandbox() as sandbox:
        if not sandbox.isolation.home_hidden:
            pytest.skip(f"the home cannot be hidden here: {sandbox.isolation.missing_summary()}")
    first = Candidate("first", Path("first.py"), CORRECT, None)
    with LocalPool(1) as pool:  # the fork server is running from here on, with the HOME of before
        assert [r.passed for r in pool.imap_unordered([first], Policy(), ["linear"])] == [True]
    home = Path(tempfile.mkdtemp(prefix="nnprep-home-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    try:
        home.chmod(0o755)
        notes = home / "notes.txt"
        notes.write_text("x" * 1234)
        notes.chmod(0o644)
        monkeypatch.setenv("HOME", str(home))
        probe = f"import os\ntry:\n    print('STAT', os.stat({str(notes)!r}).st_size)\nexcept OSError as e:\n" \
                f"    print('stat refused', type(e).__name__)\n"
        with LocalPool(1) as pool:
            [result] = pool.imap_unordered([Candidate("probe", Path("probe.py"), probe + CORRECT, None)], Policy(),
                                           ["linear"])
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert result.passed, result
    stdout = result.reports[0].stdout
    assert "stat refused FileNotFoundError" in stdout and "STAT" not in stdout, stdout


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    except OSError:  # gone meanwhile
        pass
    return found


def _descendants(pid: int) -> list[int]:
    found, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        todo += _children(child)
    return found


def _read(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    fields = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS if len(fields) > 12 else 0.0


def _parent(pid: int) -> int:
    fields = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 else 0


def _kill_workers_of_spinning_children(stop: threading.Event, kills: list[int]) -> None:
    """Until ``stop``: SIGKILL the pool worker above any sandboxed child that has used a second of CPU (only the
    spinning candidate does), as if the worker had been killed from outside while grading it."""
    while not stop.wait(0.1):
        for pid in _descendants(os.getpid()):
            if "zygote.py" not in _read(f"/proc/{pid}/cmdline") or _cpu_seconds(pid) < 1.0:
                continue
            worker = _parent(pid)
            while worker > 1 and "zygote.py" in _read(f"/proc/{worker}/cmdline"):
                worker = _parent(worker)  # up from the child through its zygote(s) to the worker
            if worker > 1 and worker != os.getpid() and worker not in kills:
                kills.append(worker)
                os.kill(worker, signal.SIGKILL)


def test_a_worker_killed_from_outside_costs_only_its_candidate(tmp_path: Path) -> None:
    """The worker grading ``spin`` is killed, twice: ``spin`` alone gets an error row, every other candidate
    (including any in flight on the other worker when the pool broke) gets its result."""
    folder = tmp_path / "class"
    folder.mkdir()
    names = ["a1", "a2", "spin", "a3", "a4", "a5"]
    for name in names:
        (folder / f"{name}.py").write_text(SPINS if name == "spin" else CORRECT)
    policy = tmp_path / "policy.toml"
    policy.write_text(LONG_LIMITS)
    out = tmp_path / "out.csv"
    stop, kills = threading.Event(), []
    killer = threading.Thread(target=_kill_workers_of_spinning_children, args=(stop, kills), daemon=True)
    killer.start()
    try:
        with bounded(180):
            args = ["grade", str(folder), "--policy", str(policy), "--format", "csv", "--out", str(out),
                    "--workers", "2"]
            assert main(args) == 1
    finally:
        stop.set()
        killer.join()
    rows = {r["candidate"]: r for r in csv.DictReader(out.open())}
    assert set(rows) == set(names)
    assert {rows[n]["linear_verdict"] for n in names if n != "spin"} == {"passed"}
    assert "grading process died twice" in rows["spin"]["error"]
    assert len(kills) == 2, kills
