"""Grading that must hold as root and as an ordinary user alike: many runs in one process, a batch with one and two
workers, the time and memory limits, the numerical cross-check, the grading user's files, the isolation lines.

The normal suite runs this module as whoever runs the suite (root here and in CI); ``test_as_user.py`` runs it
again, with the isolation tests, as an unprivileged uid.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from engine import Limits, Verdict, grade
from engine.sandbox import Sandbox
from quiz.cli import main
from tests.sandbox.conftest import CORRECT, SUBMISSIONS, assert_clean

WRONG = (SUBMISSIONS / "linear" / "wrong_db_not_summed.py").read_text()
LOOP = (
    "import time\n"
    "def linear_forward(x, W, b):\n"
    "    end = time.monotonic() + 30\n"  # bounded even if the sandbox failed to stop it
    "    while time.monotonic() < end:\n"
    "        pass\n"
    "def linear_backward(dy, x, W, b):\n"
    "    return dy @ W, dy.T @ x, dy.sum(axis=0)\n"
)
QUICK = Limits(time_limit=0.5, total_time_limit=2.0)
POLICY = 'pass_mark = 60.0\n\n[[tasks]]\nid = "linear"\n\n[limits]\ntime_limit = 0.5\ntotal_time_limit = 2.0\n'
ROOT = os.geteuid() == 0


def test_twenty_runs_in_one_process(sandbox: Sandbox) -> None:
    for i in range(20):
        wrong = i % 4 == 3
        report = grade(WRONG if wrong else CORRECT, "linear", runner=sandbox)
        expected = Verdict.WRONG_ANSWER if wrong else Verdict.PASSED
        assert report.verdict is expected, (i, report.verdict, report.message)
    assert_clean(sandbox)


def test_time_limit(sandbox: Sandbox) -> None:
    report = grade(LOOP, "linear", QUICK, runner=sandbox)
    assert report.verdict is Verdict.TIME_LIMIT_EXCEEDED, report.message
    assert grade(CORRECT, "linear", runner=sandbox).verdict is Verdict.PASSED


def test_memory_limit(sandbox: Sandbox) -> None:
    source = "import numpy as np\nHOG = np.ones(1 << 30, dtype=np.uint8)\n" + CORRECT
    report = grade(source, "linear", Limits(memory_mb=256), runner=sandbox)
    assert report.verdict is Verdict.MEMORY_LIMIT_EXCEEDED, report.message
    assert grade(CORRECT, "linear", runner=sandbox).verdict is Verdict.PASSED


def test_cross_check_diagnosis(sandbox: Sandbox) -> None:
    report = grade(WRONG, "linear", runner=sandbox)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert any("numerical gradient" in d and "with respect to b" in d for d in report.diagnoses), report.diagnoses


def test_the_grading_users_files_are_not_readable(sandbox: Sandbox, tmp_path: Path) -> None:
    if not (sandbox.isolation.landlock_abi or sandbox.isolation.unprivileged_user):
        pytest.skip(f"neither Landlock nor another uid here: {sandbox.isolation.missing_summary()}")
    secret = tmp_path / "secret.txt"
    secret.write_text("the grading user's secret")
    secret.chmod(0o600)
    source = f"""
try:
    print("READ", open({str(secret)!r}).read())
except OSError as e:
    print("denied", type(e).__name__)
""" + CORRECT
    report = grade(source, "linear", runner=sandbox)
    assert report.verdict is Verdict.PASSED, report.message
    assert report.stdout.startswith("denied ") and "READ" not in report.stdout  # hidden, or not visible at all


def test_the_grading_users_home_is_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside_tmp = "/var/tmp" if os.path.isdir("/var/tmp") else None  # a child's /tmp is its own anyway
    home = Path(tempfile.mkdtemp(prefix="nnprep-home-", dir=outside_tmp))
    try:
        home.chmod(0o755)
        (home / "notes.txt").write_text("x" * 1234)
        (home / "notes.txt").chmod(0o644)
        monkeypatch.setenv("HOME", str(home))
        source = f"""
import os
try:
    print("STAT", os.stat({str(home / "notes.txt")!r}).st_size)
except OSError as e:
    print("stat refused", type(e).__name__)
try:
    print("listed", os.listdir({str(home)!r}))
except OSError as e:
    print("list refused", type(e).__name__)
""" + CORRECT
        with Sandbox() as sb:
            if not sb.isolation.home_hidden:
                pytest.skip(f"the home cannot be hidden here: {sb.isolation.missing_summary()}")
            report = grade(source, "linear", runner=sb)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert report.verdict is Verdict.PASSED, report.message
    assert "stat refused FileNotFoundError" in report.stdout and "STAT" not in report.stdout, report.stdout


def test_isolation_lines_name_what_is_active_and_what_is_not(sandbox: Sandbox) -> None:
    iso = sandbox.isolation
    active, missing = iso.lines()
    print(f"\n[{'root' if ROOT else f'uid {os.geteuid()}'}] {active}\n{missing}", file=sys.stderr)
    assert active.startswith("sandbox: separate process, rlimits(")
    assert missing.startswith("not active: ")
    names = [name for line in iso.missing for name in line.split(": ")[0].split(", ")]
    if ROOT:
        assert iso.unprivileged_user
    # Every protection is either active or named as missing with a reason, never silently absent.
    for flag, name in ((iso.unprivileged_user, "unprivileged uid"),
                       (iso.network_namespace, "network namespace"), (iso.pid_namespace, "PID namespace"),
                       (iso.ipc_namespace, "IPC namespace"), (iso.capped_tmpdir, "capped /tmp"),
                       (iso.own_proc, "own /proc"),
                       (bool(iso.landlock_abi), "Landlock"), (iso.seccomp, "seccomp")):
        assert flag != (name in names), (name, iso)


@pytest.mark.parametrize("workers", [1, 2])
def test_batch(tmp_path: Path, workers: int) -> None:
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("ann", "ben", "cat", "dan"):
        (folder / f"{name}.py").write_text(CORRECT)
    (folder / "eve.py").write_text(WRONG)
    (folder / "fay.py").write_text(LOOP)
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    out = tmp_path / "out.jsonl"
    args = ["grade", str(folder), "--policy", str(policy), "--format", "jsonl", "--out", str(out),
            "--workers", str(workers)]
    assert main(args) == 1  # graded; not everyone passed
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    verdicts = {row["candidate"]: row.get("verdict", row.get("error")) for row in rows}
    assert verdicts == {"ann": "passed", "ben": "passed", "cat": "passed", "dan": "passed", "eve": "wrong_answer",
                        "fay": "time_limit_exceeded"}, verdicts
    eve = next(row for row in rows if row["candidate"] == "eve")
    assert any("numerical gradient" in d for d in eve["diagnoses"]), eve["diagnoses"]
    if workers > 1:
        return
    assert main(["grade", str(folder), "--policy", str(policy), "--format", "text", "--workers", str(workers),
                 "--out", str(tmp_path / "out.txt"), "--reports", str(tmp_path / "reports")]) == 1
    text = (tmp_path / "out.txt").read_text()
    assert "\nsandbox: separate process" in text and "\nnot active: " in text, text
    markdown = (tmp_path / "reports" / "eve.md").read_text()
    assert "\nSandbox: separate process" in markdown and "\nNot active: " in markdown, markdown


def test_cli_text_names_what_is_active_and_what_is_not(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sub.py"
    path.write_text(CORRECT)
    assert main(["grade", str(path), "--task", "linear"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("  sandbox: separate process, rlimits(") for line in lines), lines
    assert any(line.startswith("  not active: ") for line in lines), lines


def test_a_policy_sets_the_private_tmp_caps(tmp_path: Path) -> None:
    from quiz.batch.policy import Policy

    policy = Policy.model_validate({"limits": {"tmp_mb": 3, "tmp_inodes": 100}})
    assert (policy.engine_limits().tmp_mb, policy.engine_limits().tmp_inodes) == (3, 100)
    for bad in ({"tmp_mb": 0}, {"tmp_inodes": 5}):
        with pytest.raises(ValueError, match="greater than or equal"):
            Policy.model_validate({"limits": bad})
