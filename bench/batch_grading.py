"""Batch grading (issue 7): 200 generated `linear` candidates (correct, wrong and raising ones) graded by
`nnprep grade FOLDER --workers 2`, against the usual alternative: the hand-written pytest + np.allclose grader of
bench/engine_grading.py run once per candidate, two at a time. Reports throughput (candidates per second), the
ratio, and the scaling from 1 to 2 workers. Targets: >= 10x the pytest loop, near-linear scaling.

The pytest loop is timed on a 40-candidate sample of the same mix (its throughput is a steady rate; timing all 200
would take minutes and measure nothing more).

Scaling is bounded by the cores one worker leaves idle: a worker's pipeline already overlaps (a sandboxed child's
exit and the collecting process run while the worker judges the next outputs), so the machine-wide busy cores of
each run are measured too, and the ceiling ``cpus / busy cores with 1 worker`` is printed beside the scaling.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import BIN, ROOT, clean_env, run_command, table, timed_with_busy_cores
from bench.engine_grading import _write_pytest_grader

SUBMISSIONS = ROOT / "tests" / "submissions" / "linear"
RAISING = (
    "def linear_forward(x, W, b):\n    raise ValueError('todo')\n\n"
    "def linear_backward(dy, x, W, b):\n    raise ValueError('todo')\n"
)


def _mix() -> list[str]:
    correct = [p.read_text() for p in sorted(SUBMISSIONS.glob("correct_*.py"))]
    wrong = [p.read_text() for p in sorted(SUBMISSIONS.glob("wrong_*.py"))]
    sources = []
    for i in range(200):
        kind = i % 5
        if kind < 2:
            sources.append(correct[i % len(correct)])
        elif kind < 4:
            sources.append(wrong[i % len(wrong)])
        else:
            sources.append(RAISING)
    return sources


def _nnprep(folder: Path, out: Path, workers: int) -> tuple[float, float | None]:
    argv = [
        str(BIN / "nnprep"),
        "grade",
        str(folder),
        "--task",
        "linear",
        "--format",
        "csv",
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--force",
    ]
    return timed_with_busy_cores(lambda: run_command(argv, ok_codes=(0, 1)))


def _pytest_loop(grader: Path, sources: list[str], parallel: int) -> float:
    env = clean_env(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    cmd = [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x"]

    def one(i: int) -> None:
        folder = grader / f"run{i}"
        folder.mkdir()
        for name in ("test_grader.py", "cases.npz"):
            os.link(grader / name, folder / name)
        (folder / "sub.py").write_text(sources[i])
        run_command([*cmd, str(folder)], ok_codes=(0, 1), env=env)

    start = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(one, range(len(sources))))
    return time.perf_counter() - start


def main() -> None:
    sources = _mix()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folders = {}
        for size in (40, 200, 400):  # the 400 are the 200 twice over, under other names
            folder = root / f"candidates{size}"
            folder.mkdir()
            for i in range(size):
                (folder / f"cand{i:03d}.py").write_text(sources[i % len(sources)])
            folders[size] = folder
        runs: dict[tuple[int, int], list[float]] = {(w, n): [] for w in (1, 2) for n in (40, 200, 400)}
        busy: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(3):  # interleaved, so drifts in machine speed hit every configuration alike
            for (w, n), times in runs.items():
                seconds, cores = _nnprep(folders[n], root / f"w{w}-{n}.csv", w)
                times.append(seconds)
                if n == 400 and cores is not None:
                    busy[w].append(cores)
        med = {k: statistics.median(v) for k, v in runs.items()}
        grader = root / "pytest"
        grader.mkdir()
        _write_pytest_grader(grader)
        sample = sources[:40]
        loop = _pytest_loop(grader, sample, 2)
    one, two = med[(1, 200)], med[(2, 200)]
    # Steady state: candidates 41 to 400 of a run, free of the fixed start-up (interpreter, workers, zygotes).
    steady = {w: 360 / (med[(w, 400)] - med[(w, 40)]) for w in (1, 2)}
    ours = len(sources) / two
    theirs = len(sample) / loop
    cpus = os.cpu_count() or 1
    if busy[1] and busy[2]:
        b1, b2 = statistics.median(busy[1]), statistics.median(busy[2])
        cores_row = (f"busy cores of {cpus}, 1 / 2 workers (400 candidates)",
                     f"{b1:.2f} / {b2:.2f}  (ceiling for 1 -> 2 workers: {min(2.0, cpus / b1):.2f}x)")
    else:
        cores_row = ("busy cores", "not measurable here (no /proc/stat)")
    print(table("Batch grading of 200 `linear` candidates (40% correct, 40% wrong, 20% raising), medians of 3", [
        ("nnprep grade --workers 1 (whole run)", f"{one:.2f} s  ({len(sources) / one:.1f} candidates/s)"),
        ("nnprep grade --workers 2 (whole run)", f"{two:.2f} s  ({ours:.1f} candidates/s)"),
        ("steady state (40 -> 400 candidates), 1 / 2 workers", f"{steady[1]:.1f} / {steady[2]:.1f} candidates/s"),
        ("scaling 1 -> 2 workers", f"{one / two:.2f}x whole run, {steady[2] / steady[1]:.2f}x steady state"),
        cores_row,
        ("pytest grader per candidate, 2 at a time", f"{theirs:.2f} candidates/s  (40-candidate sample)"),
        ("throughput ratio nnprep / pytest loop", f"{ours / theirs:.1f}x  (target >= 10x)"),
    ]))


if __name__ == "__main__":
    main()
