"""Engine benchmarks (issue 2).

1. Cold: wall time of one `nnprep grade sub.py --task linear --format json` process, against a hand-written
   pytest + np.allclose grader of the same checks (the same inputs and reference outputs) run in-process by
   `python -m pytest` — the usual way a course grades a NumPy assignment. Target: ratio <= 0.8.
2. Warm: per-task grading latency inside one process with a warm sandbox, grading each task's reference
   solution. Target: median <= 20 ms per task.
"""

from __future__ import annotations

import statistics
import tempfile
import textwrap
from pathlib import Path

import numpy as np

from bench.common import BIN, ROOT, clean_env, interleaved_samples, median_seconds, run_command, table

PYTEST_GRADER = textwrap.dedent(
    """
    import importlib.util
    import numpy as np
    import pytest

    DATA = np.load(__file__.replace("test_grader.py", "cases.npz"))
    N = int(DATA["count"])

    def load():
        spec = importlib.util.spec_from_file_location("submission", __file__.replace("test_grader.py", "sub.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    SUB = load()

    @pytest.mark.parametrize("i", range(N))
    def test_case(i):
        kind = str(DATA[f"kind{i}"])
        x, W, b = DATA[f"x{i}"], DATA[f"W{i}"], DATA[f"b{i}"]
        if kind == "linear_forward":
            assert np.allclose(SUB.linear_forward(x, W, b), DATA[f"y{i}"], rtol=1e-4, atol=1e-4)
        else:
            dx, dW, db = SUB.linear_backward(DATA[f"dy{i}"], x, W, b)
            assert np.allclose(dx, DATA[f"dx{i}"], rtol=1e-4, atol=1e-4)
            assert np.allclose(dW, DATA[f"dW{i}"], rtol=1e-4, atol=1e-4)
            assert np.allclose(db, DATA[f"db{i}"], rtol=1e-4, atol=1e-4)
    """
)


def _write_pytest_grader(folder: Path) -> None:
    from engine import get_task

    task = get_task("linear")
    arrays: dict[str, np.ndarray] = {}
    i = 0
    for case in task.cases():
        for call in case.calls:
            arrays[f"kind{i}"] = np.array(call.function)
            for k, v in call.args.items():
                arrays[f"{k}{i}"] = v
            for k, v in task.expected_outputs(call).items():
                arrays[f"{k}{i}"] = v
            i += 1
    arrays["count"] = np.array(i)
    np.savez(folder / "cases.npz", **arrays)  # type: ignore[arg-type]
    (folder / "test_grader.py").write_text(PYTEST_GRADER)


def cold(repeat: int = 21) -> dict[str, list[float]]:
    """Wall seconds of the cold nnprep CLI and of the pytest grader, ``repeat`` runs each, timed alternately."""
    source = (ROOT / "tests" / "submissions" / "linear" / "correct_reference.py").read_text()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sub.py").write_text(source)
        _write_pytest_grader(folder)
        nnprep = [str(BIN / "nnprep"), "grade", str(folder / "sub.py"), "--task", "linear", "--format", "json"]
        pytest_cmd = [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]
        return interleaved_samples(
            {
                "nnprep grade (cold)": lambda: run_command(nnprep, cwd=folder),
                # Plugin autoload off: the grader as it runs where only pytest is installed, not with our dev plugins.
                "pytest + np.allclose grader": lambda: run_command(
                    pytest_cmd, cwd=folder, env=clean_env(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
                ),
            },
            repeat=repeat,
        )


def warm(repeat: int = 20) -> dict[str, float]:
    """Median seconds to grade each task's reference solution with a warm sandbox in this process."""
    from engine import TASK_IDS, grade
    from engine.sandbox import Sandbox
    from engine.solutions import reference_source

    out: dict[str, float] = {}
    with Sandbox() as sandbox:
        for task_id in TASK_IDS:
            source = reference_source(task_id)
            report = grade(source, task_id, runner=sandbox)
            if not report.passed:
                raise RuntimeError(f"reference of {task_id} did not pass: {report.message}")
            out[task_id] = median_seconds(lambda s=source, t=task_id: grade(s, t, runner=sandbox), repeat)
    return out


def main() -> None:
    c = cold()
    ours, theirs = c["nnprep grade (cold)"], c["pytest + np.allclose grader"]
    med_ours, med_theirs = statistics.median(ours), statistics.median(theirs)
    print(
        table(
            f"Cold grading of `linear` (wall time of a fresh process, {len(ours)} interleaved pairs)",
            [
                ("nnprep grade (cold), median / fastest", f"{med_ours * 1000:.0f} / {min(ours) * 1000:.0f} ms"),
                ("pytest + np.allclose grader, median / fastest",
                 f"{med_theirs * 1000:.0f} / {min(theirs) * 1000:.0f} ms"),
                ("ratio nnprep / pytest, medians", f"{med_ours / med_theirs:.2f}  (target <= 0.80)"),
                ("ratio of the fastest runs", f"{min(ours) / min(theirs):.2f}"),
            ],
        )
    )
    print()
    w = warm()
    from engine.tasks import CORE_TASK_IDS

    rows = [(t, f"{s * 1000:.1f} ms") for t, s in w.items()]
    core = float(np.median([w[t] for t in CORE_TASK_IDS]))
    rows.append(("median, the 15 contract tasks", f"{core * 1000:.1f} ms  (target <= 20 ms)"))
    rows.append((f"median, all {len(w)} tasks", f"{float(np.median(list(w.values()))) * 1000:.1f} ms"))
    print(table("Warm grading per task (median of 20, reference solution, one sandbox)", rows))


if __name__ == "__main__":
    main()
