"""Isolation reporting: which protections are active, checked against what the OS offers.

Assertions about one protection skip (not fail) where the machine cannot provide it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import textwrap

import pytest

from engine import Limits, Verdict, grade
from engine.sandbox import Sandbox
from tests.sandbox.conftest import CORRECT

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


@pytest.mark.skipif(not ROOT, reason="dropping to uid 65534 needs root")
def test_unprivileged_uid(sandbox: Sandbox) -> None:
    assert sandbox.isolation.unprivileged_user
    report = grade("import os\nprint('ids', os.getuid(), os.getgid(), os.getgroups())\n" + CORRECT, "linear",
                   runner=sandbox)
    assert "ids 65534 65534 []" in report.stdout


@pytest.mark.skipif(not (ROOT and LINUX), reason="network namespaces need root (or user namespaces)")
def test_network_and_pid_namespaces(sandbox: Sandbox) -> None:
    iso = sandbox.isolation
    assert iso.network_namespace and iso.pid_namespace
    source = textwrap.dedent("""
        import os, socket
        print("pid", os.getpid())
        print("ifaces", sorted(n for _, n in socket.if_nameindex()))
    """) + CORRECT
    report = grade(source, "linear", runner=sandbox)
    assert "pid 1\n" in report.stdout  # the first process of its own PID namespace
    assert "ifaces ['lo']" in report.stdout


@pytest.mark.skipif(not LANDLOCK, reason="this kernel has no Landlock")
def test_landlock(sandbox: Sandbox) -> None:
    iso = sandbox.isolation
    assert iso.landlock_abi == LANDLOCK
    source = textwrap.dedent("""
        import json, os, fractions, decimal, email.mime.text  # stdlib imports still work
        for p in ("/etc/passwd", "/proc/self/status", os.path.expanduser("~root")):
            try:
                open(p).read(1)
                print("READ", p)
            except OSError as e:
                print("denied", p)
    """) + CORRECT
    report = grade(source, "linear", runner=sandbox)
    assert report.verdict is Verdict.PASSED, report.message
    assert "READ" not in report.stdout


def test_limits_are_applied(sandbox: Sandbox) -> None:
    source = textwrap.dedent("""
        import resource
        for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_CPU"):
            print(name, resource.getrlimit(getattr(resource, name)))
    """) + CORRECT
    limits = Limits(memory_mb=700, max_processes=9, max_file_mb=3, max_open_files=33, total_time_limit=5)
    report = grade(source, "linear", limits, runner=sandbox)
    assert report.verdict is Verdict.PASSED
    mib = 2**20
    for line in (f"RLIMIT_AS ({700 * mib}, {700 * mib})", "RLIMIT_NPROC (9, 9)", f"RLIMIT_FSIZE ({3 * mib}, {3 * mib})",
                 "RLIMIT_NOFILE (33, 33)", "RLIMIT_CORE (0, 0)", "RLIMIT_CPU (7, 8)"):
        assert line in report.stdout


def test_blas_uses_one_thread(sandbox: Sandbox) -> None:
    source = "import os\nprint({k: v for k, v in os.environ.items() if 'THREADS' in k})\n" + CORRECT
    report = grade(source, "linear", runner=sandbox)
    assert "'OPENBLAS_NUM_THREADS': '1'" in report.stdout and "'OMP_NUM_THREADS': '1'" in report.stdout
