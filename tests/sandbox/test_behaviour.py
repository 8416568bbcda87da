"""The sandbox runs submissions with the same semantics as the trusted in-process runner, and validates outputs."""

from __future__ import annotations

import os
import struct
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from engine import Limits, Verdict, get_task, grade
from engine.runner import RunResult
from engine.sandbox import Sandbox, SandboxError, default_sandbox
from engine.task import Call, RngSeed
from tests.sandbox.conftest import CORRECT, SUBMISSIONS, assert_clean, assert_next_ok, descendants
from tests.support.inprocess import InProcessRunner


def _files() -> list[Path]:
    return sorted((SUBMISSIONS / "linear").glob("*.py"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_known_submissions_match_the_inprocess_runner(sandbox: Sandbox, inprocess: InProcessRunner, path: Path) -> None:
    source = path.read_text()
    ours = grade(source, "linear", runner=sandbox)
    trusted = grade(source, "linear", runner=inprocess)
    assert ours.verdict == trusted.verdict
    assert ours.score == trusted.score
    assert ours.diagnoses == trusted.diagnoses
    assert [c.verdict for c in ours.cases] == [c.verdict for c in trusted.cases]
    assert ours.isolation.separate_process
    assert_clean(sandbox)


def run(
    sb: Sandbox, source: str, calls: list[Call], functions: list[str] | None = None, limits: Limits | None = None
) -> RunResult:
    names = functions if functions is not None else sorted({c.function for c in calls})
    return sb.run(textwrap.dedent(source), calls, names, limits or Limits())


X = np.arange(6.0).reshape(2, 3)


def test_missing_and_uncallable_functions(sandbox: Sandbox) -> None:
    only_forward = "def linear_forward(x, W, b):\n    return x @ W.T + b\n"
    report = grade(only_forward, "linear", runner=sandbox)
    assert report.verdict is Verdict.MISSING_FUNCTION
    backward = [c for c in report.cases if c.name.startswith("backward")]
    forward = [c for c in report.cases if c.name.startswith("forward")]
    assert all(c.verdict is Verdict.MISSING_FUNCTION for c in backward)
    assert all("linear_backward is not defined" in c.message for c in backward if c.visible)
    assert all("linear_backward: is missing or not callable" in c.message for c in backward if not c.visible)
    assert all(c.verdict is Verdict.PASSED for c in forward)
    report = grade(only_forward + "linear_backward = 3\n", "linear", runner=sandbox)
    assert any("not callable (it is a int)" in c.message for c in report.cases if c.visible)


def test_syntax_error(sandbox: Sandbox) -> None:
    report = grade("import numpy as np\n\ndef linear_forward(x, W, b)\n    return x\n", "linear", runner=sandbox)
    assert report.verdict is Verdict.SYNTAX_ERROR
    assert report.message.startswith("line 3:")
    assert all(c.verdict is Verdict.SYNTAX_ERROR for c in report.cases)


def test_exception_message_points_into_the_submission(sandbox: Sandbox) -> None:
    source = """
    import numpy as np

    def helper(a, b):
        return a @ b

    def linear_forward(x, W, b):
        return helper(x, W) + b
    """
    result = run(sandbox, source, [Call("linear_forward", {"x": X, "W": np.ones((4, 3)), "b": np.zeros(4)})])
    error = result.calls[0].error
    assert result.calls[0].error_verdict is Verdict.RUNTIME_ERROR
    assert error is not None and error.startswith("ValueError: matmul")
    assert "submission.py, line 8, in linear_forward: return helper(x, W) + b" in error
    assert "submission.py, line 5, in helper: return a @ b" in error
    assert "zygote" not in error and "_child" not in error and "engine" not in error


def test_import_error_is_fatal(sandbox: Sandbox) -> None:
    report = grade("import numpy as np\nraise ValueError('bad file')\n", "linear", runner=sandbox)
    assert report.verdict is Verdict.RUNTIME_ERROR
    assert "ValueError: bad file" in report.message and "line 2" in report.message


def test_values_arguments_and_mutation(sandbox: Sandbox) -> None:
    source = """
    import numpy as np

    def f(x, rng, k, s, p, none):
        x[0, 0] = 42.0
        return (x.sum(), rng.random(3), k, s == "text", p, none, [np.float32(1.5), np.int64(7)], np.bool_(True))

    def g(x, y):
        return y * 2
    """
    calls = [
        Call("f", {"x": X.copy(), "rng": RngSeed(7), "k": 3, "s": "text", "p": 0.25, "none": None}),
        Call("g", {"x": X.copy(), "y": np.ones((2, 2), dtype=np.float32)}),
    ]
    result = run(sandbox, source, calls)
    first, second = result.calls
    assert first.error is None and first.mutated == ("x",)
    total, drawn, k, same, p, none, seq, flag = first.value
    assert total == pytest.approx(X.sum() + 42.0)
    np.testing.assert_array_equal(drawn, np.random.default_rng(7).random(3))
    assert (k, same, p, none) == (3, True, 0.25, None)
    assert type(k) is int and type(p) is float and type(same) is bool
    assert isinstance(seq, tuple) and seq[0].dtype == np.float32 and seq[1].dtype == np.int64
    assert flag.dtype == np.bool_ and flag.shape == ()
    assert second.error is None and second.mutated == ()
    assert second.value.dtype == np.float32 and type(second.value) is np.ndarray
    assert calls[0].args["x"][0, 0] == 0.0  # the parent's inputs are never touched


def test_each_call_gets_fresh_arguments(sandbox: Sandbox) -> None:
    source = """
    def f(x):
        x += 1
        return x.copy()
    """
    x = np.zeros(3)
    result = run(sandbox, source, [Call("f", {"x": x}), Call("f", {"x": x})])
    for r in result.calls:
        np.testing.assert_array_equal(r.value, np.ones(3))
        assert r.mutated == ("x",)


@pytest.mark.parametrize(
    ("expression", "what"),
    [
        ("'a string'", "a str"),
        ("{'y': 1}", "a dict"),
        ("np.array([1, 'a'], dtype=object)", "dtype object"),
        ("np.ones(3) + 1j", "complex128"),
        ("1j", "a complex"),
        ("Liar()", "a Liar"),
        ("(np.ones(2), 'x')", "a str"),
        ("np.zeros((4096, 4096))", "more than 64 MiB"),
        ("np.array(['a'])", "dtype <U1"),
        ("lambda: 0", "a function"),
        ("np.float64", "a type"),
    ],
)
def test_invalid_outputs(sandbox: Sandbox, expression: str, what: str) -> None:
    source = f"""
    import numpy as np

    class Liar:
        def __eq__(self, other):
            return True
        __hash__ = None
        def __array__(self, *a, **k):
            return np.zeros(3)

    def f(x):
        return {expression}
    """
    result = run(sandbox, source, [Call("f", {"x": X})])
    r = result.calls[0]
    assert r.error_verdict is Verdict.INVALID_OUTPUT, r
    assert r.error is not None and what in r.error


def test_lying_ndarray_subclass_is_judged_by_its_data(sandbox: Sandbox) -> None:
    source = """
    import numpy as np

    class Liar(np.ndarray):
        def __eq__(self, other):
            return np.ones(np.shape(other), dtype=bool)
        def __array_finalize__(self, obj):
            if obj is not None and hasattr(obj, "fill"):
                pass
        def __array__(self, *a, **k):
            return np.asarray(self.expected)
        def __array_ufunc__(self, *a, **k):
            return NotImplemented
        def tobytes(self, *a, **k):
            raise RuntimeError("no")

    def linear_forward(x, W, b):
        out = np.zeros((x.shape[0], W.shape[0])).view(Liar)
        out.expected = x @ W.T + b
        return out

    def linear_backward(dy, x, W, b):
        return (np.zeros_like(x).view(Liar), (dy.T @ x).view(Liar), dy.sum(axis=0))
    """
    report = grade(textwrap.dedent(source), "linear", runner=sandbox)
    assert report.verdict is Verdict.WRONG_ANSWER
    assert all(c.verdict is Verdict.WRONG_ANSWER for c in report.cases)
    result = run(sandbox, source, [Call("linear_forward", {"x": X, "W": np.ones((2, 3)), "b": np.ones(2)})])
    assert type(result.calls[0].value) is np.ndarray
    np.testing.assert_array_equal(result.calls[0].value, np.zeros((2, 2)))


def test_nan_inf_and_large_values(sandbox: Sandbox) -> None:
    source = """
    import numpy as np

    def linear_forward(x, W, b):
        y = x @ W.T + b
        y[0, 0] = np.nan
        return y

    def linear_backward(dy, x, W, b):
        return dy @ W * 1e300 * 1e300, dy.T @ x, dy.sum(axis=0)
    """
    report = grade(textwrap.dedent(source), "linear", runner=sandbox)
    assert report.verdict is Verdict.WRONG_ANSWER
    text = " ".join(c.message for c in report.cases).lower()
    assert "nan" in text and "inf" in text
    result = run(
        sandbox, "import numpy as np\ndef f():\n    return np.full(3, np.nan), float('inf'), 10**300\n", [Call("f", {})]
    )
    arr, inf, big = result.calls[0].value
    assert np.isnan(arr).all() and inf == float("inf") and big == 10**300


def test_output_capture_and_timing(sandbox: Sandbox) -> None:
    source = """
    import sys, time
    print("at import")
    def f():
        print("to stdout", end="")
        print("to stderr", file=sys.stderr)
        time.sleep(0.05)
    """
    result = run(sandbox, source, [Call("f", {})])
    assert "at import" in result.stdout and "to stdout" in result.stdout and "to stderr" in result.stdout
    assert 0.04 < result.calls[0].seconds < 1.0
    assert result.seconds >= result.calls[0].seconds


def test_default_sandbox_is_shared() -> None:
    sb = default_sandbox()
    assert default_sandbox() is sb
    assert grade(CORRECT, "linear").passed  # grade() uses it by default


def test_close_stops_the_zygote() -> None:
    sb = Sandbox()
    assert grade(CORRECT, "linear", runner=sb).passed
    proc = sb._proc
    base = sb._base
    sb.close()
    assert proc is not None and proc.poll() is not None
    assert not Path(base).exists()
    with pytest.raises(SandboxError):
        sb.run(CORRECT, [], [], Limits())


def test_killed_zygote_is_replaced(sandbox: Sandbox) -> None:
    proc = sandbox._proc
    assert proc is not None
    proc.kill()
    proc.wait()
    assert grade(CORRECT, "linear", runner=sandbox).passed


def test_a_zygote_that_makes_no_sense_is_replaced(sandbox: Sandbox) -> None:
    task = get_task("linear")
    calls = [c for case in task.cases() for c in case.calls]
    assert sandbox.isolation  # the zygote has started and said hello
    before = sandbox._proc
    sandbox._ctl_buf += struct.pack(">I", 3) + b"abc"  # as if the zygote had sent garbage before "started"
    result = sandbox.run(CORRECT, calls, [f.name for f in task.functions], Limits())
    # The child's frames may all be read before the zygote's garbage: either way nothing is judged on it, and
    # the zygote that sent it is stopped.
    assert {c.error_verdict for c in result.calls} <= {None, Verdict.INTERNAL_ERROR}
    assert all("the sandbox failed" in c.error for c in result.calls if c.error)
    assert before is not None and before.poll() is not None and sandbox._proc is not before
    assert_next_ok(sandbox)


def test_control_messages_name_their_run(sandbox: Sandbox) -> None:
    """A kill naming another run (a late one, say) does not touch the child that runs now."""
    source = "import time\ndef f():\n    time.sleep(1.0)\n    return 1\n"
    assert sandbox.isolation
    timer = threading.Timer(0.3, lambda: sandbox._send({"op": "kill", "run": sandbox._runs - 1}))
    timer.start()
    try:
        result = sandbox.run(source, [Call("f", {})], ["f"], Limits(time_limit=60))
    finally:
        timer.join()
    assert result.calls[0].error is None and result.calls[0].value == 1
    assert_next_ok(sandbox)


def test_a_failure_in_the_driver_still_kills_the_child(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.sandbox import _driver

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr(_driver, "call_result", broken)
    source = "import time\ndef f():\n    return 1\ndef g():\n    time.sleep(30)\n"
    zygote = sandbox._proc
    assert zygote is not None
    with pytest.raises(SandboxError, match="a bug in the grader"):
        sandbox.run(source, [Call("f", {}), Call("g", {})], ["f", "g"], Limits(time_limit=60))
    assert zygote.poll() is not None and descendants(zygote.pid) == []  # child and zygote gone, not left to run
    monkeypatch.undo()
    assert_next_ok(sandbox)


def test_forked_grader_gets_its_own_zygote(sandbox: Sandbox) -> None:
    assert grade(CORRECT, "linear", runner=sandbox).passed
    parent_zygote = sandbox._proc
    pid = os.fork()
    if pid == 0:  # a forked grading worker (e.g. a process pool) must not share or kill our zygote
        code = 1
        try:
            ok = grade(CORRECT, "linear", runner=sandbox).passed and sandbox._proc is not parent_zygote
            sandbox.close()
            code = 0 if ok else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert sandbox._proc is parent_zygote and parent_zygote is not None and parent_zygote.poll() is None
    assert grade(CORRECT, "linear", runner=sandbox).passed


def test_parallel_sandboxes() -> None:
    sandboxes = [Sandbox(), Sandbox()]
    failures: list[str] = []

    def work(sb: Sandbox) -> None:
        for _ in range(4):
            report = grade(CORRECT, "linear", runner=sb)
            if not report.passed:
                failures.append(report.message)

    try:
        threads = [threading.Thread(target=work, args=(sb,)) for sb in sandboxes for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert failures == []
    finally:
        for sb in sandboxes:
            sb.close()


def test_warm_grade_is_fast(sandbox: Sandbox) -> None:
    task = get_task("linear")
    calls = [c for case in task.cases() for c in case.calls]
    names = [f.name for f in task.functions]
    for _ in range(3):
        sandbox.run(CORRECT, calls, names, Limits())
    times = []
    for _ in range(15):
        started = time.perf_counter()
        sandbox.run(CORRECT, calls, names, Limits())
        times.append(time.perf_counter() - started)
    # Generous: the target is well under 20 ms on an idle 2-core machine; CI machines are noisy.
    assert sorted(times)[len(times) // 2] < 0.25


def test_function_refs_rng_seeds_and_tuples_arrive_as_values(sandbox: Sandbox) -> None:
    from engine.task import Call, FunctionRef, RngSeed

    source = (
        "import numpy as np\n"
        "def probe(f, x, parts, rng):\n"
        "    out = f(x), len(parts), parts[1].sum(), rng.integers(0, 1000, size=3)\n"
        "    parts[0][0] = 9.0\n"
        "    return out\n"
    )
    args = {
        "f": FunctionRef("sum_of_squares"),
        "x": np.arange(3.0),
        "parts": (np.ones(2), np.ones(3)),
        "rng": RngSeed(7),
    }
    run = sandbox.run(source, [Call("probe", args)], ["probe"], Limits())
    value = run.calls[0].value
    assert run.calls[0].error is None, run.calls[0].error
    assert value[0] == 5.0 and value[1] == 2 and float(value[2]) == 3.0
    assert np.array_equal(value[3], np.random.default_rng(7).integers(0, 1000, size=3))
    assert run.calls[0].mutated == ("parts[0]",)
