"""Hostile submissions against the result channel and the grading process itself: forged and garbled frames,
output floods, clean-up traps, in-place changes hidden from the check, huge outputs. Each gets the right verdict
in bounded time, the child is always killed and reaped, and the next submission on the same Sandbox (or the
next candidate of a batch worker) is graded correctly.

Every hostile program here is SELF-BOUNDED (fixed sizes and counts, loops that stop by their own clock), so it
cannot harm the machine even if the sandbox failed.
"""

from __future__ import annotations

import csv
import os
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from engine import Limits, Verdict, get_task, grade
from engine.sandbox import Sandbox
from engine.sandbox import _wire as wire
from engine.sandbox._driver import Attempt, Driver
from engine.sandbox._results import MAX_KEPT, RunState
from engine.task import Call
from quiz.cli import main
from tests.sandbox.conftest import (
    CORRECT,
    CORRECT_FUNCS,
    FAST,
    WRONG_FUNCS,
    finish,
    graded,
    ran,
    src,
    zygote_pid,
)

# ------------------------------------------------------------------------------------------------ the channel


def _fake_frames() -> str:
    return """
import json, os, struct, sys
def _frame(header):
    header = dict(header, blobs=[])
    head = json.dumps(header).encode()
    return b"NNPS" + struct.pack(">II", len(head), 0) + head
_fakes = b"".join(_frame(h) for h in (
    {"kind": "setup", "applied": {"uid": 0}},
    {"kind": "imported", "missing": {}},
    *({"kind": "result", "index": i, "value": {"t": "none"}, "inputs": {}, "seconds": 0} for i in range(10)),
    {"kind": "done"},
))
"""


def test_fake_frames_on_every_fd(sandbox: Sandbox) -> None:
    source = src(_fake_frames() + """
sys.stdout.buffer.write(_fakes); sys.stdout.flush()
sys.stderr.buffer.write(_fakes); sys.stderr.flush()
for _fd in range(256):
    try:
        os.write(_fd, _fakes)
    except OSError:
        pass
    try:
        os.write(_fd, b"garbage" * 1000 + b"\\xff" * 100)
    except OSError:
        pass
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert "result channel" in report.message
    finish(sandbox)


def test_fake_frames_in_output_are_only_output(sandbox: Sandbox) -> None:
    source = src(_fake_frames() + """
sys.stdout.buffer.write(_fakes); sys.stdout.flush()
print("NNPS{\\"kind\\": \\"done\\"}")
""" + WRONG_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert "NNPS" in report.stdout
    finish(sandbox)


def test_huge_frame_length(sandbox: Sandbox) -> None:
    source = src("""
import os, struct
os.write(3, b"NNPS" + struct.pack(">II", 2**31, 2**31))
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.RUNTIME_ERROR
    finish(sandbox)


def test_partial_frame_then_exit(sandbox: Sandbox) -> None:
    source = src("""
import os
def linear_forward(x, W, b):
    os.write(3, b"NNPS\\x00\\x00")
    os._exit(0)

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
""")
    result = ran(sandbox, source)
    assert result.calls[0].error_verdict is Verdict.RUNTIME_ERROR
    assert result.calls[1].error_verdict is None
    finish(sandbox)


def test_closing_all_fds(sandbox: Sandbox) -> None:
    report = graded(sandbox, src("import os\nos.closerange(0, 4096)\n" + CORRECT_FUNCS))
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert "file descriptors" in report.message
    finish(sandbox)



# ------------------------------------------------------------------------------------------------ output


def test_output_flood(sandbox: Sandbox) -> None:
    source = src("""
import sys
_line = "x" * 1023 + "\\n"
for _ in range(20 * 1024):  # 20 MiB in all
    sys.stdout.write(_line)
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.OUTPUT_LIMIT_EXCEEDED
    assert len(report.stdout) <= FAST.max_output_kb * 1024 + 100
    assert report.stdout.endswith("[output truncated]")
    finish(sandbox)


def test_output_flood_in_a_call_on_stderr(sandbox: Sandbox) -> None:
    source = src("""
import sys
def linear_forward(x, W, b):
    for _ in range(20 * 1024):
        sys.stderr.write("y" * 1023 + "\\n")
    return x @ W.T + b

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
""")
    result = ran(sandbox, source)
    assert result.calls[0].error_verdict is Verdict.OUTPUT_LIMIT_EXCEEDED
    assert "y" * 100 in result.stdout
    finish(sandbox)


class _QuietSandbox:
    """Stands in for the Sandbox in a Driver test that never talks to a zygote."""

    _ctl = None

    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []

    def _send(self, message: dict[str, object]) -> None:
        self.sent.append(message)


def test_a_flood_read_before_the_import_frame_is_blamed_on_the_call() -> None:
    """Under load the parent may read the output pipe before the result pipe: the frames the child wrote before the
    flood are read first, so the flood is blamed on the call that printed it, not on the import."""
    task = get_task("linear")
    calls = [c for case in task.cases() for c in case.calls]
    limits = Limits(max_output_kb=1)
    state = RunState(calls, limits, float("inf"), [{} for _ in calls])
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    try:
        for fd in (out_r, res_r):
            os.set_blocking(fd, False)
        os.write(res_w, wire.encode_frame({"kind": "setup", "applied": {}}) + wire.encode_frame({"kind": "imported"}))
        os.write(out_w, b"y" * 5000)
        attempt = Attempt(start=0)
        sb = _QuietSandbox()
        driver = Driver(sb, attempt, state, False, out_r, res_r, run_id=7)  # type: ignore[arg-type]
        driver._read_output()  # the order the scheduler happened to pick
        driver._blame_flood()
        assert attempt.failure is not None and attempt.failure.verdict is Verdict.OUTPUT_LIMIT_EXCEEDED
        assert "in linear_forward" in attempt.failure.message
        assert sb.sent == [{"op": "kill", "run": 7}]
    finally:
        for fd in (out_r, out_w, res_r, res_w):
            os.close(fd)


# ------------------------------------------------------------------------------------------------ forged frames

FORGE = """
import hashlib, json, os, struct
def _frame(header, payload=b""):
    head = json.dumps(dict(header, blobs=[len(payload)] if payload else [])).encode()
    return b"NNPS" + struct.pack(">II", len(head), len(payload)) + head + payload
def _npy(text):
    head = text + " " * (-(len(text) + 11) % 64) + "\\n"
    return b"\\x93NUMPY\\x01\\x00" + struct.pack("<H", len(head)) + head.encode()
def _result(value, payload=b"", **extra):
    return _frame(dict({"kind": "result", "index": 0, "seconds": 0, "value": value, "inputs": {}}, **extra), payload)
"""

# A value the old validators accepted but could not convert, sent during every forward call.
FORGED = {
    "int": '_result({"t": "int", "v": "--5"})',
    "seconds": '_result({"t": "none"}, seconds=10**400)',
    "npy": '_result({"t": "array", "b": 0}, _npy("{\'descr\': \'<f8\', \'fortran_order\': False, \'shape\': '
           '(0, 1099511627775, 1099511627775), }"))',
}


def forging(what: str) -> str:
    return src(FORGE + CORRECT_FUNCS.replace(
        "return x @ W.T + b", f"os.write(3, {FORGED[what]})\n    return x @ W.T + b"))


# Valid frames and garbage in one write: the valid "imported" frame must not be lost with the garbage.
GARBAGE_AFTER_VALID = src(FORGE + 'os.write(3, _frame({"kind": "imported", "missing": {}}) + b"garbage" * 20)\n'
                          + CORRECT_FUNCS)

# Zeroes its input, then tries to make the runner believe it did not (rewriting any pristine copy it can reach).
MUTATE_AND_COVER = src("""
import sys
def linear_forward(x, W, b):
    out = x @ W.T + b
    x[...] = 0.0
    caller = sys._getframe(1).f_locals
    for name in ("pristine", "watched", "sent", "digests"):
        table = caller.get(name)
        if isinstance(table, dict) and "x" in table:
            entry = table["x"]
            if isinstance(entry, tuple) and len(entry) == 3:
                table["x"] = (entry[0], entry[1], x.tobytes())
    return out

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
""")


def cleanup_trap(canary: Path, depth: int = 1200) -> str:
    """Leaves a tree ``depth`` folders deep, a chain of long names past PATH_MAX, locked folders and a symlink to
    ``canary`` (which must survive)."""
    return f"CANARY = {str(canary)!r}\nDEPTH = {depth}\n" + src("""
import os
_top = os.open(".", os.O_RDONLY)
for _ in range(DEPTH):
    os.mkdir("d")
    os.chdir("d")
os.fchdir(_top)
for _ in range(30):
    os.mkdir("n" * 200)
    os.chdir("n" * 200)
os.fchdir(_top)
os.makedirs("locked/inner")
open("locked/inner/f", "w").close()
os.chmod("locked/inner", 0)
os.chmod("locked", 0)
os.symlink(CANARY, "escape")
""") + CORRECT_FUNCS


# An output of the wrong shape from every call: 32 MiB (up to 64 MiB fits in a frame; this keeps the test quick).
HUGE_WRONG_SHAPE = src("""
import numpy as np
def linear_forward(x, W, b):
    return np.zeros((2048, 2048))

def linear_backward(dy, x, W, b):
    return np.zeros((2048, 2048)), dy.T @ x, dy.sum(axis=0)
""")


@pytest.mark.parametrize("what", sorted(FORGED))
def test_forged_values_are_tampering_not_grader_failures(sandbox: Sandbox, what: str) -> None:
    before = zygote_pid(sandbox)
    result = ran(sandbox, forging(what))
    first = result.calls[0]
    assert first.error_verdict is Verdict.RUNTIME_ERROR, first.error
    assert first.error is not None and "result channel" in first.error
    assert result.calls[1].error_verdict is None  # the backward call ran in a fresh child
    assert zygote_pid(sandbox) == before  # the zygote was never in doubt
    finish(sandbox)


def test_valid_frames_before_garbage_in_one_write_count(sandbox: Sandbox) -> None:
    result = ran(sandbox, GARBAGE_AFTER_VALID)
    first = result.calls[0]
    assert first.error_verdict is Verdict.RUNTIME_ERROR
    assert first.error is not None and "result channel in linear_forward" in first.error  # not "while importing"
    finish(sandbox)


def test_input_mutation_is_judged_in_the_parent(sandbox: Sandbox) -> None:
    report = graded(sandbox, MUTATE_AND_COVER)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert any("modified its input x" in d for d in report.diagnoses)
    result = ran(sandbox, MUTATE_AND_COVER)
    assert [c.mutated for c in result.calls[:2]] == [("x",), ()]
    finish(sandbox)


def test_honest_arguments_of_any_layout_are_not_flagged(sandbox: Sandbox) -> None:
    source = "def f(a, b, parts):\n    return a.sum() + b.sum() + parts[0].sum()\n"
    args = {"a": np.arange(12, dtype=">f8").reshape(3, 4).T, "b": np.asfortranarray(np.ones((2, 3), np.float32)),
            "parts": [np.arange(3, dtype=np.int16), np.zeros((0, 2), bool)]}
    result = sandbox.run(source, [Call("f", args)], ["f"], Limits())
    assert result.calls[0].error is None, result.calls[0].error
    assert result.calls[0].mutated == ()
    finish(sandbox)


def test_deep_and_locked_temp_trees_are_removed(sandbox: Sandbox, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep").write_text("x")
    before = zygote_pid(sandbox)
    slow_ok = Limits(time_limit=30, total_time_limit=60)  # 1,200 mkdirs under Landlock on a loaded machine
    report = graded(sandbox, cleanup_trap(canary), slow_ok, bound=120)
    assert report.verdict is Verdict.PASSED, report.message
    assert zygote_pid(sandbox) == before  # the clean-up did not kill the zygote
    assert (canary / "keep").read_text() == "x"  # the symlink was removed, not followed
    finish(sandbox)


def test_huge_wrong_shaped_outputs_are_dropped_on_arrival(sandbox: Sandbox) -> None:
    task = get_task("linear")
    calls = [c for case in task.cases() for c in case.calls][:4]

    def shapes(call: Call) -> list[tuple[int, ...] | None]:
        return [tuple(np.shape(v)) for v in task.expected_outputs(call).values()]

    result = sandbox.run(HUGE_WRONG_SHAPE, calls, [f.name for f in task.functions], Limits(), expected_shapes=shapes)
    forward, backward = result.calls[0].value, result.calls[1].value
    assert isinstance(forward, np.ndarray) and forward.shape == (2048, 2048)
    assert forward.strides == (0, 0)  # a stand-in: its shape, none of its 64 MiB
    assert isinstance(backward, tuple) and backward[0].strides == (0, 0)
    assert backward[1].shape == calls[1].args["W"].shape and backward[1].strides != (0, 0)  # right: kept
    finish(sandbox)


def test_grading_process_memory_stays_bounded_with_huge_outputs(sandbox: Sandbox) -> None:
    """A whole grade of a file returning 32 MiB of the wrong shape from every call: the grading process's peak
    allocation (traced by tracemalloc, which sees NumPy's buffers too: deterministic, unlike RSS) stays near one
    frame and one decoded array, far below keeping every output (10 calls plus the cross-check's: over 350 MiB)."""
    tracemalloc.start()
    try:
        report = grade(HUGE_WRONG_SHAPE, "linear", Limits(), runner=sandbox)
        peak = tracemalloc.get_traced_memory()[1] >> 20
    finally:
        tracemalloc.stop()
    assert report.verdict is Verdict.WRONG_ANSWER
    assert "shape (2048, 2048), expected" in report.cases[0].message
    assert peak < 160, f"peak {peak} MiB"
    finish(sandbox)


def test_bytes_kept_per_run_are_capped(sandbox: Sandbox) -> None:
    size = MAX_KEPT // 4 + (1 << 20)  # four of these are over the cap
    source = f"import numpy as np\ndef probe():\n    return np.ones({size}, np.uint8)\n"
    result = sandbox.run(source, [Call("probe", {})] * 5, ["probe"], Limits())
    verdicts = [c.error_verdict for c in result.calls]
    assert verdicts[:3] == [None, None, None]
    assert verdicts[3] is Verdict.OUTPUT_LIMIT_EXCEEDED and verdicts[4] is Verdict.OUTPUT_LIMIT_EXCEEDED
    assert "MiB of arrays" in (result.calls[3].error or "")
    finish(sandbox)


def test_honest_big_ints_with_a_sign_come_back(sandbox: Sandbox) -> None:
    source = "def probe():\n    return -(10**999 + 7), 10**999\n"
    result = sandbox.run(source, [Call("probe", {})], ["probe"], Limits())
    assert result.calls[0].error is None, result.calls[0].error
    assert result.calls[0].value == (-(10**999 + 7), 10**999)
    too_long = sandbox.run("def probe():\n    return -(10**1000)\n", [Call("probe", {})], ["probe"], Limits())
    assert too_long.calls[0].error_verdict is Verdict.INVALID_OUTPUT  # said plainly, not "interfered"
    finish(sandbox)


# ------------------------------------------------------------------------------------------------ a batch


def test_a_batch_worker_grades_every_correct_candidate_whatever_the_others_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One worker, so one sandbox sees every candidate in turn: each hostile one sits between correct ones."""
    folder = tmp_path / "class"
    folder.mkdir()
    canary = tmp_path / "canary"
    canary.mkdir()
    hostile = {
        "forged_int": forging("int"), "forged_seconds": forging("seconds"), "forged_npy": forging("npy"),
        "garbage_after_valid": GARBAGE_AFTER_VALID, "mutate_and_cover": MUTATE_AND_COVER,
        "cleanup_trap": cleanup_trap(canary, depth=300), "huge_wrong_shape": HUGE_WRONG_SHAPE,
        "wrong": src(WRONG_FUNCS),
    }
    for i, (name, source) in enumerate(hostile.items()):
        (folder / f"{i:02d}a_{name}.py").write_text(source)
        (folder / f"{i:02d}b_correct.py").write_text(CORRECT)
    policy = tmp_path / "policy.toml"
    policy.write_text('pass_mark = 60.0\n\n[[tasks]]\nid = "linear"\n\n[limits]\ntime_limit = 30.0\n'
                      'total_time_limit = 60.0\n')  # generous: nothing here hangs, and the machine may be loaded
    code = main(["grade", str(folder), "--policy", str(policy), "--format", "csv", "--workers", "1"])
    assert code == 1  # graded; not everyone passed
    rows = {r["candidate"]: r["linear_verdict"] for r in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert len(rows) == 2 * len(hostile)
    for i, name in enumerate(hostile):
        assert rows[f"{i:02d}b_correct"] == "passed", (name, rows)
        assert rows[f"{i:02d}a_{name}"] != "internal_error", (name, rows)
    assert rows["00a_forged_int"] == "runtime_error"
    assert rows["04a_mutate_and_cover"] == "wrong_answer"
    assert rows["06a_huge_wrong_shape"] == "wrong_answer"
    assert (canary).exists()
