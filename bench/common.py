"""Timing helpers for the benchmarks: medians of repeated runs, printed as a table with ratios."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def median_seconds(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_command(
    argv: Sequence[str], cwd: Path | None = None, ok_codes: Sequence[int] = (0,), env: dict[str, str] | None = None
) -> None:
    """Run a command, raising if it fails (a benchmark of a failing command measures nothing)."""
    done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, env=env)
    if done.returncode not in ok_codes:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-2000:]}")


def _cpu_jiffies() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat; None where there is no /proc."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def timed_with_busy_cores(fn: Callable[[], object]) -> tuple[float, float | None]:
    """Wall seconds of ``fn()`` and how many of the machine's cores were busy on average meanwhile (all processes:
    a sandboxed child's CPU counts, which the runner's own rusage misses); None where that cannot be read."""
    before = _cpu_jiffies()
    start = time.perf_counter()
    fn()
    wall = time.perf_counter() - start
    after = _cpu_jiffies()
    if before is None or after is None or after[1] == before[1]:
        return wall, None
    return wall, (os.cpu_count() or 1) * (after[0] - before[0]) / (after[1] - before[1])


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment plus ``extra``."""
    env = dict(os.environ)
    env.update(extra)
    return env


def interleaved_medians(commands: dict[str, Callable[[], object]], repeat: int, warmup: int = 1) -> dict[str, float]:
    """Medians of several commands timed in alternation, so drift in machine load hits each alike."""
    samples = interleaved_samples(commands, repeat, warmup)
    return {name: statistics.median(ts) for name, ts in samples.items()}


def interleaved_samples(
    commands: dict[str, Callable[[], object]], repeat: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Wall seconds of each of several commands, ``repeat`` times each, timed in alternation."""
    for fn in commands.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, fn in commands.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return samples


def table(title: str, rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    lines = [title, "-" * len(title)]
    lines.extend(f"{k:<{width}}  {v}" for k, v in rows)
    return "\n".join(lines)
