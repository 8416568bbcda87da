"""Hostile submissions against the limits (time, memory, processes, crashes, files): each gets the right verdict in
bounded time, leaves nothing behind, and the next submission on the same Sandbox still grades correctly. Attempts
to get out of the sandbox: ``test_confinement.py``.

Every hostile program here is SELF-BOUNDED, so it cannot harm the machine even if the sandbox failed: loops stop
after ~30 s by their own clock, allocations top out at a few GiB, forks are counted, output is capped.
"""

from __future__ import annotations

import pytest

from engine import Limits, Verdict, grade
from engine.sandbox import Sandbox
from tests.sandbox.conftest import (
    CORRECT,
    CORRECT_FUNCS,
    FAST,
    SPIN,
    assert_clean,
    finish,
    graded,
    ran,
    src,
)

# ------------------------------------------------------------------------------------------------ time


def test_infinite_loop_at_import(sandbox: Sandbox) -> None:
    report = graded(sandbox, src(SPIN + "_spin()\n" + CORRECT_FUNCS))
    assert report.verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert "importing" in report.message
    finish(sandbox)


def test_infinite_loop_in_one_function_costs_only_its_cases(sandbox: Sandbox) -> None:
    source = src(SPIN + """
def linear_forward(x, W, b):
    _spin()

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
""")
    result = ran(sandbox, source, Limits(time_limit=0.5, total_time_limit=10))
    verdicts = [(c.call.function, c.error_verdict) for c in result.calls]
    # forward and backward alternate: each hanging forward call is killed and the next call runs in a fresh child
    assert verdicts[0] == ("linear_forward", Verdict.TIME_LIMIT_EXCEEDED)
    assert verdicts[1] == ("linear_backward", None)
    assert verdicts[3] == ("linear_backward", None)
    assert all(v is Verdict.TIME_LIMIT_EXCEEDED for f, v in verdicts if f == "linear_forward")
    assert any(c.error and c.error.startswith("not run") for c in result.calls)  # at most 3 restarts
    finish(sandbox)


def test_sleep_in_a_call(sandbox: Sandbox) -> None:
    report = graded(sandbox, src("import time\n" + CORRECT_FUNCS.replace(
        "return x @ W.T + b", "time.sleep(30)\n    return x @ W.T + b")))
    assert report.verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert any(c.verdict is Verdict.PASSED for c in report.cases)  # the backward cases still ran
    finish(sandbox)


def test_sigterm_ignored(sandbox: Sandbox) -> None:
    report = graded(sandbox, src("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + SPIN
                                 + "_spin()\n" + CORRECT_FUNCS))
    assert report.verdict is Verdict.TIME_LIMIT_EXCEEDED
    finish(sandbox)


def test_total_time_limit(sandbox: Sandbox) -> None:
    slow = CORRECT_FUNCS.replace("return x @ W.T + b", "time.sleep(0.4)\n    return x @ W.T + b")
    source = src("import time\n" + slow)
    result = ran(sandbox, source, Limits(time_limit=1.0, total_time_limit=1.0))
    verdicts = [c.error_verdict for c in result.calls]
    assert Verdict.TIME_LIMIT_EXCEEDED in verdicts
    assert any(c.error and "total time limit" in c.error for c in result.calls)
    finish(sandbox)


# ------------------------------------------------------------------------------------------------ resources


def test_memory_bomb(sandbox: Sandbox) -> None:
    source = src("""
import numpy as np
_hoard = []
for _ in range(40):  # at most 4 GiB, in 100 MiB steps
    _hoard.append(np.ones(100 * 2**20 // 8))
""" + CORRECT_FUNCS)
    report = graded(sandbox, source, Limits(memory_mb=512, time_limit=5, total_time_limit=10))
    assert report.verdict is Verdict.MEMORY_LIMIT_EXCEEDED, report.message
    finish(sandbox)


def test_memory_bomb_in_a_call(sandbox: Sandbox) -> None:
    source = src("""
import numpy as np
def linear_forward(x, W, b):
    hoard = [np.ones(100 * 2**20 // 8) for _ in range(40)]
    return x @ W.T + b

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
""")
    result = ran(sandbox, source, Limits(memory_mb=512, time_limit=5, total_time_limit=20), bound=30)
    assert result.calls[0].error_verdict is Verdict.MEMORY_LIMIT_EXCEEDED
    assert result.calls[1].error_verdict is None
    finish(sandbox)


def test_bounded_fork_storm(sandbox: Sandbox) -> None:
    source = src("""
import os, time
_forked = 0
for _ in range(200):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(3)
        os._exit(0)
    _forked += 1
print("forked", _forked)
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.PASSED  # forking is allowed; the children must not outlive the run
    forked = int(report.stdout.split("forked", 1)[1].split()[0])
    assert forked < 200  # RLIMIT_NPROC stopped it
    finish(sandbox)


def test_many_threads(sandbox: Sandbox) -> None:
    source = src("""
import threading, time
_started = 0
for _ in range(200):
    try:
        threading.Thread(target=time.sleep, args=(2,), daemon=True).start()
        _started += 1
    except RuntimeError:
        break
print("threads", _started)
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.PASSED
    assert int(report.stdout.split("threads", 1)[1].split()[0]) < 200
    finish(sandbox)


# ------------------------------------------------------------------------------------------------ exits and crashes


@pytest.mark.parametrize(
    ("where", "statement", "verdict", "text"),
    [
        ("import", "sys.exit(0)", Verdict.RUNTIME_ERROR, "sys.exit(0)"),
        ("call", "sys.exit(0)", Verdict.RUNTIME_ERROR, "sys.exit(0)"),
        ("import", "os._exit(0)", Verdict.RUNTIME_ERROR, "exited with status 0"),
        ("call", "os._exit(0)", Verdict.RUNTIME_ERROR, "exited with status 0"),
        ("call", "raise KeyboardInterrupt", Verdict.RUNTIME_ERROR, "KeyboardInterrupt"),
        ("call", "raise SystemExit(3)", Verdict.RUNTIME_ERROR, "sys.exit(3)"),
        ("import", "raise KeyboardInterrupt", Verdict.RUNTIME_ERROR, "KeyboardInterrupt"),
        ("call", "ctypes.string_at(0)", Verdict.RUNTIME_ERROR, "SIGSEGV"),
        ("import", "ctypes.string_at(0)", Verdict.RUNTIME_ERROR, "SIGSEGV"),
        ("call", "_deep(0)", Verdict.RUNTIME_ERROR, "RecursionError"),
        ("call", "hash(functools.reduce(lambda a, _: (a,), range(300_000), ()))", Verdict.RUNTIME_ERROR, "SIGSEGV"),
        ("call", "os.abort()", Verdict.RUNTIME_ERROR, "crashed with signal"),
        ("call", "raise MemoryError('too big')", Verdict.MEMORY_LIMIT_EXCEEDED, "MemoryError: too big"),
    ],
)
def test_exits_and_crashes(sandbox: Sandbox, where: str, statement: str, verdict: Verdict, text: str) -> None:
    prelude = "import ctypes, functools, os, sys\ndef _deep(n):\n    return _deep(n + 1) + 1\n"
    if where == "import":
        report = graded(sandbox, prelude + statement + "\n" + CORRECT_FUNCS)
        assert report.verdict is verdict, report.message
        assert text in report.message
        assert "zygote" not in report.message and "_child" not in report.message
    else:
        source = prelude + CORRECT_FUNCS.replace("return x @ W.T + b", statement + "\n    return x @ W.T + b")
        result = ran(sandbox, source)
        first = result.calls[0]
        assert first.error_verdict is verdict, first.error
        assert first.error is not None and text in first.error
        assert "zygote" not in first.error and "_child" not in first.error
        assert result.calls[1].error_verdict is None  # the next call ran (in a fresh child if needed)
    finish(sandbox)


def test_monkeypatching_numpy_fools_nothing(sandbox: Sandbox) -> None:
    source = src("""
import numpy as np, numpy.testing
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None

def linear_forward(x, W, b):
    x *= 2  # an in-place change the patched array_equal would hide
    return x @ W.T

def linear_backward(dy, x, W, b):
    return dy @ W, x.T @ dy, dy.sum(axis=0)
""")
    report = graded(sandbox, source)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert report.score == 0
    assert any("modified its input x" in d for d in report.diagnoses)
    finish(sandbox)


# ------------------------------------------------------------------------------------------------ files


def test_many_files_in_the_temp_dir_are_removed(sandbox: Sandbox) -> None:
    source = src("""
import os
os.makedirs("a/b/c", exist_ok=True)
for _i in range(200):
    with open(f"a/b/c/f{_i}", "w") as _f:
        _f.write("x" * 100)
os.chmod("a/b", 0)
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.PASSED
    finish(sandbox)


def test_file_size_limit(sandbox: Sandbox) -> None:
    source = src("""
def linear_forward(x, W, b):
    with open("big.bin", "wb") as f:
        for _ in range(64):  # 64 MiB at most
            f.write(b"0" * 2**20)
    return x @ W.T + b

def linear_backward(dy, x, W, b):
    return dy @ W, dy.T @ x, dy.sum(axis=0)
""")
    result = ran(sandbox, source, Limits(max_file_mb=1))
    assert result.calls[0].error_verdict is Verdict.RUNTIME_ERROR
    assert result.calls[0].error is not None and "File too large" in result.calls[0].error
    finish(sandbox)


def test_forked_copies_writing_after_the_last_call(sandbox: Sandbox) -> None:
    """A submission that forks at import leaves copies that run on and write frames after the last call: the
    grade is the candidate's (passed or runtime error), never a failure of the grader (bounded: at most 50 forks)."""
    forks = "import os\nfor _ in range(50):\n    try:\n        os.fork()\n    except OSError:\n        break\n"
    source = forks + CORRECT
    for _ in range(4):
        report = grade(source, "linear", FAST, runner=sandbox)
        # Its values are right, so it may pass or, when a copy garbles the channel, get a runtime error; what must
        # never happen is a failure of the grader itself.
        assert report.verdict in (Verdict.PASSED, Verdict.RUNTIME_ERROR), (report.verdict, report.message)
    assert_clean(sandbox)
