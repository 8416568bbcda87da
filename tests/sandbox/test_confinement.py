"""Hostile submissions trying to get out: each is confined (no secrets from the environment, no writes outside its
own temp dir, no network, no engine or reference answers, no signals to the grader), gets its own verdict, and the
next submission on the same Sandbox still grades correctly. Time, memory and crashes: ``test_hostile.py``.

Every hostile program here is SELF-BOUNDED, so it cannot harm the machine even if the sandbox failed.
"""

from __future__ import annotations

import os
import socket
import textwrap
import uuid
from pathlib import Path

import pytest

from engine import Limits, Verdict
from engine.sandbox import Sandbox
from tests.sandbox.conftest import CORRECT_FUNCS, WRONG_FUNCS, assert_clean, finish, graded, src

REPO = Path(__file__).resolve().parents[2]


def test_environment_is_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"s3cret-{uuid.uuid4().hex}"
    monkeypatch.setenv("NNPREP_TEST_SECRET", secret)
    source = src("""
import glob, os
print(dict(os.environ))
for _path in ["/proc/self/environ", "/proc/1/environ", *glob.glob("/proc/[0-9]*/environ")][:400]:
    try:
        with open(_path, "rb") as _f:
            print(_path, _f.read())
    except OSError as _e:
        pass
""" + CORRECT_FUNCS)
    with Sandbox() as sb:  # created after the secret is set: the zygote must not inherit it either
        report = graded(sb, source, Limits(max_output_kb=1024))
        assert report.verdict is Verdict.PASSED
        assert "PATH" in report.stdout
        assert secret not in report.stdout
        assert "NNPREP_TEST_SECRET" not in report.stdout
        assert_clean(sb)


def test_writes_outside_the_temp_dir(sandbox: Sandbox, tmp_path: Path) -> None:
    iso = sandbox.isolation
    if not (iso.landlock_abi or iso.unprivileged_user):
        pytest.skip("neither Landlock nor an unprivileged uid on this machine: writes cannot be prevented")
    name = f"nnprep-pwned-{uuid.uuid4().hex}"
    targets = [tmp_path / name, Path("/tmp") / name, REPO / name, Path("/dev/shm") / name]
    source = src(f"""
import os
for _p in {[str(t) for t in targets]!r}:
    try:
        with open(_p, "w") as _f:
            _f.write("pwned")
        print("WROTE", _p)
    except OSError as _e:
        print("denied", _p, type(_e).__name__)
with open("inside.txt", "w") as _f:  # the private cwd is writable
    _f.write("ok")
print("cwd ok", open("inside.txt").read())
""" + CORRECT_FUNCS)
    try:
        report = graded(sandbox, source)
        assert report.verdict is Verdict.PASSED
        private_tmp = "/tmp" if iso.capped_tmpdir else None  # the child's /tmp is its own tmpfs: writable
        wrote = [line for line in report.stdout.splitlines() if line.startswith("WROTE")]
        assert all(line == f"WROTE {private_tmp}/{name}" for line in wrote), wrote
        assert "cwd ok ok" in report.stdout
        for t in targets:
            assert not t.exists()
    finally:
        for t in targets:
            t.unlink(missing_ok=True)
    finish(sandbox)


def test_no_network(sandbox: Sandbox) -> None:
    if not sandbox.isolation.network_namespace and not (sandbox.isolation.landlock_abi or 0) >= 4:
        pytest.skip("no network namespace or Landlock TCP rules on this machine")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    source = src(f"""
import socket
import textwrap
try:
    _s = socket.create_connection(("127.0.0.1", {port}), timeout=2)
    _s.sendall(b"stolen")
    print("CONNECTED")
except OSError as _e:
    print("no network:", type(_e).__name__, _e)
""" + CORRECT_FUNCS)
    try:
        report = graded(sandbox, source)
        assert report.verdict is Verdict.PASSED
        assert "CONNECTED" not in report.stdout
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    finish(sandbox)


def test_cannot_import_the_engine(sandbox: Sandbox) -> None:
    source = src("""
try:
    from engine.tasks.linear import linear_backward, linear_forward
    print("IMPORTED engine")
except ImportError as _e:
    print("blocked:", type(_e).__name__)
    try:
        import importlib.util, sys
        for _name in ("quiz", "questions", "nnprep", "engine.tasks"):
            print(_name, importlib.util.find_spec(_name))
    except ImportError as _e2:
        print("blocked too:", type(_e2).__name__)
""" + "\nif 'linear_forward' not in globals():\n" + textwrap.indent(WRONG_FUNCS, "    "))
    report = graded(sandbox, source)
    assert "IMPORTED" not in report.stdout
    assert "blocked" in report.stdout
    assert report.verdict is Verdict.WRONG_ANSWER
    finish(sandbox)


def test_cannot_read_the_references(sandbox: Sandbox) -> None:
    if not sandbox.isolation.landlock_abi:
        pytest.skip("no Landlock on this machine: our own files stay readable")
    path = REPO / "engine" / "tasks" / "linear.py"
    assert path.exists()
    source = src(f"""
import os
_ns = {{}}
for _p in ({str(path)!r}, {str(REPO / "engine" / "tasks")!r}, {str(REPO)!r}):
    try:
        if os.path.isdir(_p):
            print("LISTED", os.listdir(_p))
        else:
            exec(open(_p).read(), _ns)
            print("READ", _p)
    except OSError as _e:
        print("denied", _p, type(_e).__name__)
linear_forward = _ns.get("linear_forward")
linear_backward = _ns.get("linear_backward")
""" + "\nif linear_forward is None:\n" + textwrap.indent(WRONG_FUNCS, "    "))
    report = graded(sandbox, source)
    assert "READ" not in report.stdout and "LISTED" not in report.stdout
    assert report.verdict is Verdict.WRONG_ANSWER
    finish(sandbox)


def test_cannot_signal_or_trace_the_grader(sandbox: Sandbox) -> None:
    source = src(f"""
import os, signal
for _pid in ({os.getpid()}, 1):
    try:
        os.kill(_pid, signal.SIGTERM)
        print("SIGNALLED", _pid)
    except OSError as _e:
        print("denied", _pid, type(_e).__name__)
""" + CORRECT_FUNCS)
    report = graded(sandbox, source)
    assert report.verdict is Verdict.PASSED
    assert f"SIGNALLED {os.getpid()}" not in report.stdout
    finish(sandbox)
