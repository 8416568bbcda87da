"""Isolation reporting: which protections are active, checked against what the OS offers.

Assertions about one protection skip (not fail) where the machine cannot provide it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import socket
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from engine import Limits, Verdict, grade
from engine.sandbox import Sandbox
from tests.sandbox.conftest import CORRECT, descendants, zygote_pid

LINUX = sys.platform.startswith("linux")


def _landlock_abi() -> int:
    if not LINUX:
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return max(int(libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))), 0)


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
LANDLOCK = _landlock_abi()


def test_always_active(sandbox: Sandbox) -> None:
    iso = sandbox.isolation
    assert iso.separate_process and iso.scrubbed_env and iso.private_tmpdir
    assert set(iso.rlimits) >= {"AS", "CPU", "NPROC", "FSIZE", "NOFILE", "CORE"}
    report = grade(CORRECT, "linear", runner=sandbox)
    assert report.isolation == iso
    assert "separate process" in report.isolation.summary()


def test_unprivileged_uid(sandbox: Sandbox) -> None:
    if not ROOT and not sandbox.isolation.unprivileged_user:
        pytest.skip(f"no uid to drop to: {sandbox.isolation.missing_summary()}")
    assert sandbox.isolation.unprivileged_user
    source = textwrap.dedent(f"""
        import os
        print('ids', os.getuid(), os.getgid(), os.getgroups())
        try:
            os.setresuid({os.geteuid()}, {os.geteuid()}, {os.geteuid()})  # back to the grading user's uid
            print('SWITCHED BACK')
        except OSError as e:
            print('switch refused', type(e).__name__)
    """) + CORRECT
    report = grade(source, "linear", runner=sandbox)
    assert "ids 65534 65534 []" in report.stdout
    assert "switch refused PermissionError" in report.stdout, report.stdout  # no capability is left for it


def _ns(pid: int | str, kind: str) -> str:
    return os.readlink(f"/proc/{pid}/ns/{kind}")


def test_network_and_pid_namespaces(sandbox: Sandbox) -> None:
    iso = sandbox.isolation
    if not (iso.network_namespace and iso.pid_namespace):
        pytest.skip(f"no network or PID namespace here: {iso.missing_summary()}")
    assert _ns(zygote_pid(sandbox), "net") != _ns("self", "net")
    source = "import os\nprint('pid', os.getpid())\n" + CORRECT
    for _ in range(3):  # each child is the first process of a PID namespace of its own, run after run
        report = grade(source, "linear", runner=sandbox)
        assert report.verdict is Verdict.PASSED, report.message
        assert "pid 1\n" in report.stdout


def test_each_child_has_its_own_ipc_and_mount_namespace(sandbox: Sandbox) -> None:
    iso = sandbox.isolation
    if not (iso.ipc_namespace and iso.capped_tmpdir):
        pytest.skip(f"no IPC or mount namespace here: {iso.missing_summary()}")
    zygote = zygote_pid(sandbox)
    own = (_ns(zygote, "ipc"), _ns(zygote, "mnt"))
    seen: set[tuple[str, str]] = set()
    procs: list[list[str]] = []  # the pids each child's /proc lists
    source = "import time\ntime.sleep(1.5)\n" + CORRECT  # set up, then 1.5 s in which to look at it
    worker = threading.Thread(target=grade, args=(source, "linear"), kwargs={"runner": sandbox})
    worker.start()
    try:
        # A child seen in the instant after its fork still has the zygote's namespaces, and in the instant after
        # its unshare still lists the zygote's /proc: look until one is seen in its own namespaces (then both must
        # differ) with its own /proc mounted, or the run is over.
        def set_up() -> bool:
            return any(ipc != own[0] for ipc, _ in seen) and (not iso.own_proc or ["1"] in procs)

        while worker.is_alive() and not set_up():
            for pid in descendants(zygote):
                with contextlib.suppress(OSError):
                    seen.add((_ns(pid, "ipc"), _ns(pid, "mnt")))
                    procs.append([p for p in os.listdir(f"/proc/{pid}/root/proc") if p.isdigit()])
            time.sleep(0.05)
    finally:
        worker.join(60)
    if not seen and not ROOT and iso.unprivileged_user:
        pytest.skip("the child runs as another uid: an ordinary user cannot look at its namespaces")
    assert any(ipc != own[0] and mnt != own[1] for ipc, mnt in seen), (own, seen)
    if iso.own_proc:  # once set up, a child's /proc shows its own PID namespace: itself, pid 1
        assert ["1"] in procs, procs


def _denied_calls_source() -> str:
    return textwrap.dedent("""
        import ctypes, errno, os, socket
        def attempt(label, fn):
            try:
                fn()
                print("ALLOWED", label)
            except OSError as e:
                print("denied", label, errno.errorcode.get(e.errno, e.errno))
        attempt("unix-path", lambda: socket.socket(socket.AF_UNIX).connect(UNIX_PATH))
        attempt("unix-abstract", lambda: socket.socket(socket.AF_UNIX).connect("\\0" + ABSTRACT))
        attempt("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        attempt("udp6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
        attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW))
        attempt("socketpair", lambda: socket.socketpair())
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def raw(label, *args):
            r = libc.syscall(*[ctypes.c_long(a) for a in args])
            print("ALLOWED" if r >= 0 else "denied", label, errno.errorcode.get(ctypes.get_errno(), "?"))
        IPC_PRIVATE, IPC_CREAT = 0, 0o1000
        raw("shmget", 29, IPC_PRIVATE, 1 << 20, IPC_CREAT | 0o600)
        raw("msgget", 68, IPC_PRIVATE, IPC_CREAT | 0o600)
        raw("semget", 64, IPC_PRIVATE, 1, IPC_CREAT | 0o600)
        raw("keyctl", 250, 0, -3, 0)  # KEYCTL_GET_KEYRING_ID of the session keyring
        raw("io_uring_setup", 425, 4, 0)
        raw("x32-socket", 0x40000000 | 41, 1, 1, 0)
        import numpy as np
        print("numpy ok", float(np.linalg.norm(np.ones((3, 3)) @ np.ones(3))))
    """)


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the raw call numbers in this test are x86_64's")
def test_no_sockets_sysv_ipc_or_keyrings(sandbox: Sandbox, tmp_path: Path) -> None:
    iso = sandbox.isolation
    if not iso.seccomp:
        pytest.skip(f"no seccomp filter here: {iso.missing_summary()}")
    path = tmp_path / "s"
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(path))
    os.chmod(path, 0o777)
    listener.listen(1)
    abstract = f"nnprep-test-{os.getpid()}"
    listener2 = socket.socket(socket.AF_UNIX)
    listener2.bind("\0" + abstract)
    listener2.listen(1)
    try:
        source = f"UNIX_PATH = {str(path)!r}\nABSTRACT = {abstract!r}\n" + _denied_calls_source() + CORRECT
        report = grade(source, "linear", runner=sandbox)
    finally:
        listener.close()
        listener2.close()
    assert report.verdict is Verdict.PASSED, report.message  # NumPy and the result channel still work
    assert "ALLOWED" not in report.stdout, report.stdout
    for label in ("unix-path", "unix-abstract", "inet", "udp6", "netlink", "socketpair", "shmget", "msgget",
                  "semget", "keyctl", "io_uring_setup", "x32-socket"):
        assert f"denied {label} EPERM" in report.stdout, (label, report.stdout)
    assert "numpy ok 5.19" in report.stdout


def test_tempfile_works_in_a_capped_private_tmp(sandbox: Sandbox) -> None:
    source = textwrap.dedent("""
        import os, tempfile
        with tempfile.NamedTemporaryFile() as f:
            f.write(b"x" * 10)
            f.flush()
            print("named", os.path.getsize(f.name))
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "a.txt"), "w") as f:
            f.write("ok")
        print("mkdtemp", open(os.path.join(d, "a.txt")).read())
        with tempfile.TemporaryFile() as f:
            print("unnamed", f.write(b"abc"))
        print("tmpdir", tempfile.gettempdir() == os.getcwd() == os.environ["TMPDIR"])
        try:
            with open("big", "wb") as f:
                for _ in range(5):
                    f.write(b"\\0" * (1 << 20))
            print("BIG FILE WRITTEN")
        except OSError as e:
            print("big refused", e.errno)
        made = 0
        try:
            for i in range(200):
                open(f"f{i}", "w").close()
                made += 1
        except OSError as e:
            print("files refused", e.errno)
        print("made", made)
    """) + CORRECT
    report = grade(source, "linear", Limits(tmp_mb=2, tmp_inodes=64, max_file_mb=16), runner=sandbox)
    assert report.verdict is Verdict.PASSED, report.message
    for line in ("named 10", "mkdtemp ok", "unnamed 3", "tmpdir True"):
        assert line in report.stdout, report.stdout
    if sandbox.isolation.capped_tmpdir:
        assert "big refused 28" in report.stdout  # ENOSPC: the tmpfs is 2 MiB
        assert "files refused 28" in report.stdout
        assert "made 200" not in report.stdout
