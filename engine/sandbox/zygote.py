"""The zygote: a long-lived fork server that runs candidate code in sandboxed children.

Started by ``engine.sandbox.Sandbox`` with ``python -I -S``, loaded by path (as a module, so that its bytecode is
cached) with CONFIG_JSON as its argument: it must NOT import the engine package, whose modules hold the reference
answers. It imports NumPy once with one BLAS thread, loads its helpers ``_wire.py`` and ``_child.py`` by path,
probes which protections the OS offers, then serves one job at a time over a Unix socket: a ``run`` message
carries three file descriptors (inputs memfd, output pipe, result pipe); the zygote forks a child, which sandboxes
itself and runs the submission, writing frames straight to the grading process. The zygote reports the child's pid
and exit status, kills it on request, and removes its private temp dir.

Child setup order: own process group -> read inputs -> IPC and mount namespaces with a capped tmpfs on /tmp ->
fds 0-3 only -> scrubbed env -> private cwd -> rlimits -> uid/gid 65534 (root) or no capabilities (otherwise) ->
parent-death signal -> no_new_privs -> Landlock -> seccomp -> import blocker -> run.
Which namespaces exist, and how they are made as root and as an ordinary user: ``_protections.py``.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os
import resource
import select
import signal
import socket
import sys
import tempfile
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.sandbox._control import Control

gc.disable()  # until everything is imported and frozen: no collections while importing, no holes before the forks
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_var] = "1"

CONFIG: dict[str, Any] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
_NUMPY_PATH: str = CONFIG.get("numpy_path", "")
if _NUMPY_PATH:
    sys.path.append(_NUMPY_PATH)
import numpy  # noqa: E402
import numpy.fft  # noqa: E402
import numpy.linalg  # noqa: E402
import numpy.random  # noqa: E402

if _NUMPY_PATH in sys.path:
    sys.path.remove(_NUMPY_PATH)
# Modules a submission (or our child runtime) commonly needs, imported once here instead of in every child.
import ast  # noqa: E402, F401
import collections  # noqa: E402, F401
import copy  # noqa: E402, F401
import functools  # noqa: E402, F401
import itertools  # noqa: E402, F401
import linecache  # noqa: E402, F401
import math  # noqa: E402, F401
import time  # noqa: E402, F401
import traceback  # noqa: E402, F401
import typing  # noqa: E402, F401

HERE = os.path.dirname(os.path.abspath(__file__))
RLIMITS = ("CORE", "CPU", "FSIZE", "NOFILE", "NPROC", "AS")


def _load(name: str, folder: str = HERE, **helpers: ModuleType) -> ModuleType:
    """Run a sibling file as a module of its own (never as part of the engine package), with ``helpers`` set as
    its globals first (the modules it would otherwise import from the engine package)."""
    spec = importlib.util.spec_from_file_location(f"_nnprep_sandbox{name}", os.path.join(folder, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(helpers)
    spec.loader.exec_module(module)
    return module


wire = _load("_wire")
child = _load("_child")
cleanup = _load("_cleanup")
child.KNOWN_FUNCTIONS.update(_load("known_functions", os.path.dirname(HERE)).KNOWN_FUNCTIONS)
vars(child)["OBJECTS"] = _load("objects", os.path.dirname(HERE))  # how method, attribute and operator calls run

sc = _load("_syscalls")
landlock = _load("_landlock", sc=sc)
seccomp = _load("_seccomp", sc=sc)
protections = _load("_protections", sc=sc, landlock=landlock, seccomp=seccomp)
control = _load("_control")
child_imports = _load("_child_imports")


# ------------------------------------------------------------------------------------------------ the child


def _close_all_but(keep: set[int]) -> None:
    last = 3
    for fd in sorted(keep):
        if fd >= last:
            os.closerange(last, fd)
            last = fd + 1
    os.closerange(last, 1 << 16)


def _set_rlimits(limits: dict[str, Any]) -> list[str]:
    """Apply the limits (hard = soft, so the child cannot raise them); the names of those the OS accepted."""
    mib = 1 << 20
    values = {
        "CORE": 0,
        "CPU": int(limits["total_time_limit"]) + 2,  # a backstop: the wall clock is enforced from outside
        "FSIZE": int(limits["max_file_mb"]) * mib,
        "NOFILE": int(limits["max_open_files"]),
        "NPROC": int(limits["max_processes"]),
        "AS": int(limits["memory_mb"]) * mib,
    }
    applied: list[str] = []
    for name in RLIMITS:
        res = getattr(resource, f"RLIMIT_{name}", None)
        if res is None:
            continue
        value = values[name]
        hard = value + 1 if name == "CPU" else value  # SIGXCPU first, SIGKILL a second later
        try:
            resource.setrlimit(res, (value, hard))
            applied.append(name)
        except (ValueError, OSError):
            pass
    return applied


def _child_main(caps: Any, message: dict[str, Any], fds: list[int], tmp: str) -> None:
    """In the forked child: sandbox this process, then run the job. Never returns."""
    res_fd = -1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setpgid(0, 0)
        import fcntl

        in_fd, out_fd, res_fd = (fcntl.fcntl(fd, fcntl.F_DUPFD, 200) for fd in fds)
        size = os.fstat(in_fd).st_size
        chunks: list[bytes] = []
        offset = 0
        while offset < size:
            chunk = os.pread(in_fd, min(size - offset, 1 << 24), offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
        inputs = b"".join(chunks)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.dup2(res_fd, 3)
        res_fd = 3
        tmp = caps.enter_child(message["limits"], tmp)
        rule_fds = {fd for fd, _ in caps.rules}
        tmp_fd = os.open(tmp, sc.O_PATH | os.O_DIRECTORY) if caps.landlock else -1
        _close_all_but({0, 1, 2, 3, tmp_fd, *rule_fds})

        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        env.update({k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")})
        os.environ.clear()
        os.environ.update(env)
        os.chdir(tmp)
        tempfile.tempdir = tmp

        applied: dict[str, Any] = {"rlimits": [], "uid": os.geteuid(), "landlock": 0, "seccomp": False, "notes": []}
        applied["rlimits"] = _set_rlimits(message["limits"])
        applied["uid"] = caps.drop_privileges()
        caps.lock_down(tmp_fd, applied)
        for fd in {*rule_fds, tmp_fd} - caps.kept_fds - {-1}:
            os.close(fd)
        stdout = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
        stdin = open(0, closefd=False)  # noqa: SIM115
        for name, stream in (("stdout", stdout), ("stderr", stderr), ("stdin", stdin)):
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)
        sys.argv = ["submission.py"]
        sys.setrecursionlimit(1000)
        channel = child.Channel(res_fd, wire, (stdout, stderr))
    except BaseException as e:
        try:
            os.write(res_fd if res_fd >= 0 else 2, wire.encode_frame(
                {"kind": "setup_failed", "message": f"{type(e).__name__}: {e}"[:500]}))
        finally:
            os._exit(child.EXIT_SETUP_FAILED)
    child.run_job(inputs, int(message["start"]), channel, wire, applied)


# ------------------------------------------------------------------------------------------------ the server


def _kill(pid: int) -> None:
    for send in (os.kill, os.killpg):
        with contextlib.suppress(OSError):
            send(pid, signal.SIGKILL)


def _sweep_orphans() -> None:
    """Kill and reap any process re-parented to us (we are a child subreaper): leftovers of a child that left its
    process group. With a PID namespace there are none: the namespace dies with its first process."""
    for _ in range(3):
        try:
            with open(f"/proc/self/task/{os.getpid()}/children") as f:
                pids = [int(p) for p in f.read().split()]
        except OSError:
            pids = []
        if not pids:
            break
        for pid in pids:
            _kill(pid)
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _wait_child(ctl: Control, pid: int, run: object) -> tuple[int, bool]:
    """Wait for the child to exit, killing it on request (a ``kill`` naming its run); (wait status, whether the
    grading process is gone). Other messages are kept for later, never dropped."""
    pidfd = -1
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(pid)
    gone = False
    poller = select.poll()
    poller.register(ctl.sock.fileno(), select.POLLIN)
    if pidfd >= 0:
        poller.register(pidfd, select.POLLIN)
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG) if pidfd < 0 else (0, 0)
            if done:
                _kill(pid)
                return status, gone
            events = poller.poll(None if pidfd >= 0 else 5)
            for fd, _ in events:
                if fd == pidfd:
                    _kill(pid)  # the process group may outlive its leader
                    _, status = os.waitpid(pid, 0)
                    return status, gone
                message = ctl.read() if not gone else None
                if message is None:
                    gone = True
                    poller.unregister(ctl.sock.fileno())
                    _kill(pid)
                while message is not None:  # this one, then any others already read with it
                    if message.get("op") == "kill":
                        if message.get("run") == run:
                            _kill(pid)
                    else:
                        ctl.pending.append(message)
                        if message.get("op") == "quit":
                            _kill(pid)
                    message = ctl.buffered()
    finally:
        if pidfd >= 0:
            os.close(pidfd)


def serve(ctl: Control, caps: Any, base: str) -> None:
    ctl.send(caps.hello([n for n in RLIMITS if hasattr(resource, f"RLIMIT_{n}")]))
    while True:
        message = ctl.recv()
        if message is None or message.get("op") == "quit":
            return
        if message.get("op") != "run":
            continue
        fds, ctl.fds = ctl.fds[:3], ctl.fds[3:]
        tmp = tempfile.mkdtemp(prefix="run-", dir=base)
        if caps.drop_uid:
            os.chown(tmp, protections.NOBODY, protections.NOBODY)
        if caps.pidns_fd >= 0:
            sc.unshare(sc.CLONE_NEWPID)
        pid = os.fork()
        if pid == 0:
            try:
                _child_main(caps, message, fds, tmp)
            finally:
                os._exit(child.EXIT_SETUP_FAILED)
        if caps.pidns_fd >= 0:
            sc.setns(caps.pidns_fd, sc.CLONE_NEWPID)
        for fd in fds:
            os.close(fd)
        run = message.get("run")
        ctl.send({"op": "started", "run": run, "pid": pid, "tmp": tmp})
        status, gone = _wait_child(ctl, pid, run)
        if caps.subreaper and caps.pidns_fd < 0:
            _sweep_orphans()
        cleanup.remove_tree(tmp)
        if gone:
            return
        ctl.send({"op": "exited", "run": run, "status": status})


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ctl = control.Control(socket.socket(fileno=int(CONFIG["ctl_fd"])))
    base = str(CONFIG["base"])
    numpy_dir = os.path.dirname(numpy.__file__)
    caps = protections.Caps(os.path.dirname(os.path.dirname(HERE)), [numpy_dir, numpy_dir + ".libs", _NUMPY_PATH],
                            str(CONFIG.get("home", "")))
    child_imports.isolate_imports(caps)
    gc.freeze()  # what exists now is shared with every child: their collections will not touch (and copy) it
    gc.enable()
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            serve(ctl, caps, base)
    finally:  # the grading process has gone (or asked us to quit): leave no temp dirs
        cleanup.remove_tree(base)


if __name__ == "__main__":
    main()
