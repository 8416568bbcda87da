"""`nnprep grade FOLDER`: a batch through the real sandbox, written as it goes, resumable, with a dask path."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quiz.cli import main

LINEAR = Path(__file__).resolve().parents[1] / "submissions" / "linear"
CORRECT = (LINEAR / "correct_reference.py").read_text()
WRONG = (LINEAR / "wrong_transposed_dw.py").read_text()
RAISING = (
    "def linear_forward(x, W, b):\n    raise ValueError('not done')\n\n"
    "def linear_backward(dy, x, W, b):\n    return None\n"
)
HANG = (
    "import time\n"
    "def linear_forward(x, W, b):\n"
    "    end = time.monotonic() + 30\n"  # bounded even if the sandbox failed to stop it
    "    while time.monotonic() < end:\n"
    "        pass\n"
    "def linear_backward(dy, x, W, b):\n"
    "    return dy @ W, dy.T @ x, dy.sum(axis=0)\n"
)
FAST_POLICY = 'pass_mark = 60.0\n\n[[tasks]]\nid = "linear"\n\n[limits]\ntime_limit = 0.5\ntotal_time_limit = 6.0\n'


def make_class(root: Path) -> Path:
    """A folder of candidates: good, wrong, raising, hanging, broken in several ways."""
    folder = root / "class"
    folder.mkdir()
    (folder / "alice.py").write_text(CORRECT)
    (folder / "bob.py").write_text(WRONG)
    (folder / "carol.py").write_text(RAISING)
    (folder / "dave.py").write_text(HANG)
    (folder / "erin.py").write_text("def linear_forward(x, W, b)\n    return x\n")
    (folder / "frank").mkdir()
    (folder / "frank" / "solution.py").write_text(CORRECT)
    (folder / "gina").mkdir()
    (folder / "gina" / "README.txt").write_text("forgot the code")
    (folder / "hugo.py").write_bytes(b"\x00\x01\x02")
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("batch")
    folder = make_class(root)
    policy = root / "policy.toml"
    policy.write_text(FAST_POLICY)
    outputs = {}
    for fmt, name in (("csv", "results.csv"), ("junit", "results.xml"), ("gradescope", "gradescope")):
        out = root / name
        args = ["grade", str(folder), "--policy", str(policy), "--format", fmt, "--out", str(out), "--workers", "2"]
        if fmt == "csv":
            args += ["--reports", str(root / "reports")]
        assert main(args) == 1  # graded, not everyone passed
        outputs[fmt] = out
    outputs["reports"] = root / "reports"
    return outputs


def test_csv_rows_per_candidate(graded: dict[str, Path]) -> None:
    rows = {r["candidate"]: r for r in csv.DictReader(graded["csv"].open())}
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin", "frank", "gina", "hugo"}
    assert rows["alice"]["linear_verdict"] == "passed" and rows["alice"]["passed"] == "yes"
    assert rows["frank"]["linear_verdict"] == "passed"
    assert rows["bob"]["linear_verdict"] == "wrong_answer"
    assert rows["carol"]["linear_verdict"] == "runtime_error"
    assert rows["dave"]["linear_verdict"] == "time_limit_exceeded"
    assert rows["erin"]["linear_verdict"] == "syntax_error"
    assert "no .py file" in rows["gina"]["error"]
    assert "binary" in rows["hugo"]["error"]


def test_junit_and_gradescope_outputs(graded: dict[str, Path]) -> None:
    text = graded["junit"].read_text()
    assert text.count("<testsuite ") == 8
    alice = json.loads((graded["gradescope"] / "alice" / "results.json").read_text())
    assert alice["score"] == pytest.approx(100.0)
    bob = json.loads((graded["gradescope"] / "bob" / "results.json").read_text())
    assert 0 < bob["score"] < 100 and any(t["status"] == "failed" for t in bob["tests"])
    assert "could not be graded" in json.loads((graded["gradescope"] / "hugo" / "results.json").read_text())["output"]


def test_markdown_reports(graded: dict[str, Path]) -> None:
    assert "dW is the transpose" in (graded["reports"] / "bob.md").read_text()


def test_rerun_skips_graded_candidates_unless_forced(
    graded: dict[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = graded["csv"]
    folder = out.parent / "class"
    policy = out.parent / "policy.toml"
    before = out.read_text()
    with monkeypatch.context() as m:  # nothing left to grade: no worker (and no sandbox) is started at all
        m.setattr("quiz.batch.pool.LocalPool.__init__", lambda *a: pytest.fail("a pool was started"))
        assert main(["grade", str(folder), "--policy", str(policy), "--format", "csv", "--out", str(out)]) == 1
    assert "0 graded, 8 already done" in capsys.readouterr().err
    assert out.read_text() == before
    assert main(["grade", str(folder), "--policy", str(policy), "--format", "csv", "--out", str(out), "--force"]) == 1
    assert "8 graded, 0 already done" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["gradescope", "csv"])
def test_outputs_inside_the_graded_folder_are_not_candidates_on_a_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """`grade class --out class/results --reports class/reports`, run again to resume: the outputs of the first
    run are not taken for candidates (each was an error row, exit 1, and a results folder of its own)."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("ann", "bob"):
        (folder / f"{name}.py").write_text(CORRECT)
    out = folder / ("results" if fmt == "gradescope" else "results.csv")
    args = ["grade", str(folder), "--task", "linear", "--format", fmt, "--out", str(out),
            "--reports", str(folder / "reports"), "--workers", "1"]
    assert main(args) == 0
    assert "2 graded, 0 already done" in capsys.readouterr().err
    assert main(args) == 0
    assert "0 graded, 2 already done" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert "2 graded, 0 already done" in capsys.readouterr().err
    assert sorted(p.name for p in (folder / "reports").iterdir()) == ["ann.md", "bob.md"]
    if fmt == "gradescope":
        assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ann", "bob"]


@pytest.mark.parametrize(("fmt", "out"), [("csv", "ann.py"), ("gradescope", "bob"), ("gradescope", "."),
                                         ("csv", "bob/submission.py")])
def test_an_output_that_is_a_submission_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, out: str
) -> None:
    """A slip of the keyboard must not overwrite a candidate's work: exit 2, one line, nothing written."""
    folder = tmp_path / "class"
    (folder / "bob").mkdir(parents=True)
    (folder / "ann.py").write_text(CORRECT)
    (folder / "bob" / "submission.py").write_text(CORRECT)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    assert main(["grade", str(folder), "--task", "linear", "--format", fmt, "--out", str(folder / out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "write the results elsewhere" in err, err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert (folder / "ann.py").read_text() == (folder / "bob" / "submission.py").read_text() == CORRECT
    assert main(["grade", str(folder / "ann.py"), "--task", "linear", "--format", fmt, "--out",
                 str(folder / "ann.py")]) == 2  # one file given, and its own path as the output
    assert "is being graded; write the results elsewhere" in capsys.readouterr().err
    assert (folder / "ann.py").read_text() == CORRECT


def test_interrupted_run_keeps_finished_work_and_resumes(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"c{i:02d}.py").write_text(CORRECT if i % 2 else WRONG)
    out = tmp_path / "out.jsonl"
    journal = tmp_path / ".out.jsonl.journal.jsonl"
    argv = [
        sys.executable,
        "-m",
        "quiz.cli",
        "grade",
        str(folder),
        "--task",
        "linear",
        "--format",
        "jsonl",
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not journal.exists() or len(journal.read_text().splitlines()) < 3):
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 130
    done = [json.loads(line)["candidate"] for line in journal.read_text().splitlines()]
    assert 3 <= len(done) < 12
    finished = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert f"{12 - len(done)} graded, {len(done)} already done" in finished.stderr
    ids = [json.loads(line)["candidate"] for line in journal.read_text().splitlines()]
    assert sorted(ids) == [f"c{i:02d}" for i in range(12)], "each candidate graded exactly once"
    assert len(out.read_text().splitlines()) == 12


def test_hostile_candidate_does_not_affect_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a_bomb.py").write_text(
        "import os\nfor _ in range(50):\n    try:\n        os.fork()\n    except OSError:\n        break\n" + CORRECT
    )
    (folder / "b_exit.py").write_text("import os\nos._exit(0)\n")
    (folder / "c_good.py").write_text(CORRECT)
    assert main(["grade", str(folder), "--task", "linear", "--format", "csv", "--workers", "2"]) == 1
    rows = {r["candidate"]: r for r in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert rows["c_good"]["linear_verdict"] == "passed"
    assert rows["b_exit"]["linear_verdict"] == "runtime_error"


def test_dask_path_against_a_local_cluster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "good.py").write_text(CORRECT)
    (folder / "bad.py").write_text(WRONG)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        status = main(
            ["grade", str(folder), "--task", "linear", "--format", "csv", "--dask", cluster.scheduler_address]
        )
    assert status == 1
    rows = {r["candidate"]: r for r in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert rows["good"]["linear_verdict"] == "passed" and rows["bad"]["linear_verdict"] == "wrong_answer"


def test_policy_init_and_bad_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "policy.toml"
    assert main(["policy", "init", str(path)]) == 0
    from quiz.batch.policy import load_policy

    assert load_policy(path).tasks
    path.write_text('[[tasks]]\nid = "nope"\n')
    assert main(["grade", str(LINEAR / "correct_reference.py"), "--policy", str(path)]) == 2
    assert "tasks.0.id" in capsys.readouterr().err
    assert os.path.exists(path)
    path.write_text("[limits]\ntime_limit = inf\n")  # TOML has inf and nan: a limit must be a finite number
    assert main(["grade", str(LINEAR / "correct_reference.py"), "--policy", str(path)]) == 2
    assert "limits.time_limit" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan"])
def test_time_limit_option_must_be_a_positive_finite_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    for extra in ([], ["--format", "csv", "--out", os.devnull]):  # one file here, and through the batch path
        assert main(["grade", str(LINEAR / "correct_reference.py"), "--task", "linear", "--time-limit", value,
                     *extra]) == 2
        err = capsys.readouterr().err
        assert err == "nnprep: --time-limit must be a positive number of seconds\n"


def test_policy_init_refuses_a_fifo_and_an_unreachable_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Writing into a FIFO would block until a reader came (--force or not); a path stat() cannot look at was an
    internal error. Both are one line, exit 2."""
    from tests.batch.test_untrusted_candidates import bounded

    fifo = tmp_path / "policy.toml"
    os.mkfifo(fifo)
    with bounded(20):
        assert main(["policy", "init", str(fifo), "--force"]) == 2
    assert capsys.readouterr().err == f"nnprep: {fifo}: not a regular file\n"
    unreachable = tmp_path / ("d" * 300) / "policy.toml"
    assert main(["policy", "init", str(unreachable)]) == 2
    assert capsys.readouterr().err == f"nnprep: {unreachable}: cannot be reached (File name too long)\n"
