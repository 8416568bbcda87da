"""The zygote: a long-lived fork server that runs candidate code in sandboxed children.

Started by ``engine.sandbox.Sandbox`` with ``python -I -S``, loaded by path (as a module, so that its bytecode is
cached) with CONFIG_JSON as its argument: it must NOT import the engine package, whose modules hold the reference
answers. It imports NumPy once with one BLAS thread, loads its helpers ``_wire.py`` and ``_child.py`` by path,
probes which protections the OS offers, then serves one job at a time over a Unix socket: a ``run`` message
carries three file descriptors (inputs memfd, output pipe, result pipe); the zygote forks a child, which sandboxes
itself and runs the submission, writing frames straight to the grading process. The zygote reports the child's pid
and exit status, kills it on request, and removes its private temp dir.

Child setup order: own process group -> read inputs -> fds 0-3 only -> scrubbed env -> private cwd -> rlimits ->
uid/gid 65534 (when root) -> parent-death signal -> no_new_privs -> Landlock -> import blocker -> run.
The network namespace is entered once by the zygote (every fork inherits it); a PID namespace is made per child.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import gc
import importlib.util
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import tempfile
from types import ModuleType
from typing import Any

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
NOBODY = 65534
RLIMITS = ("CORE", "CPU", "FSIZE", "NOFILE", "NPROC", "AS")
BLOCKED_PACKAGES = frozenset({"engine", "quiz", "questions", "nnprep"})


def _load(name: str, folder: str = HERE) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_nnprep_sandbox{name}", os.path.join(folder, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


wire = _load("_wire")
child = _load("_child")
cleanup = _load("_cleanup")
child.KNOWN_FUNCTIONS.update(_load("known_functions", os.path.dirname(HERE)).KNOWN_FUNCTIONS)

# ------------------------------------------------------------------------------------------------ syscalls

CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
O_PATH = getattr(os, "O_PATH", 0o10000000)

# Landlock filesystem rights, by the ABI that introduced them.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_V1_ALL = (1 << 13) - 1
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV

def _load_libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return libc
    except (OSError, AttributeError):
        return None


_libc = _load_libc()


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _unshare(flags: int) -> None:
    if _libc is None:
        raise OSError(errno.ENOSYS, "no libc")
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _setns(fd: int, nstype: int) -> None:
    if _libc is None:
        raise OSError(errno.ENOSYS, "no libc")
    _check(_libc.setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def _prctl(option: int, arg: int) -> None:
    if _libc is None or not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "no libc")
    _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                       ctypes.c_ulong(0)), "prctl")


def _syscall(number: int, *args: Any) -> int:
    if _libc is None:
        raise OSError(errno.ENOSYS, "no libc")
    return _check(int(_libc.syscall(ctypes.c_long(number), *args)), f"syscall {number}")


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when unavailable."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        return _syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                        ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def _fs_handled(abi: int) -> int:
    rights = FS_V1_ALL
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def landlock_restrict(abi: int, rules: list[tuple[int, int]]) -> None:
    """Restrict this (single-threaded) process to ``rules`` (O_PATH fd, allowed rights); no TCP, scoped IPC."""
    handled = _fs_handled(abi)
    if abi >= 6:
        attr = struct.pack("=QQQ", handled, NET_BIND_TCP | NET_CONNECT_TCP,
                           SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    elif abi >= 4:
        attr = struct.pack("=QQ", handled, NET_BIND_TCP | NET_CONNECT_TCP)
    else:
        attr = struct.pack("=Q", handled)
    ruleset = _syscall(SYS_LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    try:
        for fd, rights in rules:
            rule = struct.pack("=Qi", rights & handled, fd)
            _syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), rule,
                     ctypes.c_uint32(0))
        _syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)


# ------------------------------------------------------------------------------------------------ probing


def _package_root() -> str:
    """The folder holding our own packages (the repo for an editable install, else site-packages)."""
    return os.path.dirname(os.path.dirname(HERE))


def _read_paths() -> tuple[dict[str, int], list[tuple[int, int]], list[str]]:
    """O_PATH fds of what a child may read: {realpath: fd} for directories, Landlock rules, notes."""
    notes: list[str] = []
    ours = os.path.realpath(_package_root())
    dirs: list[str] = []
    for entry in [*sys.path, os.path.dirname(numpy.__file__), os.path.dirname(numpy.__file__) + ".libs",
                  "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo"]:
        real = os.path.realpath(entry) if entry else ""
        if not real or not os.path.isdir(real) or real in dirs:
            continue
        if ours == real or ours.startswith(real.rstrip("/") + "/"):
            notes.append(f"not allowing {real}: it contains nnprep's own packages")
            continue
        dirs.append(real)
    fds: dict[str, int] = {}
    rules: list[tuple[int, int]] = []
    for d in dirs:
        try:
            fd = fcntl_dupfd(os.open(d, O_PATH | os.O_DIRECTORY | os.O_CLOEXEC))
        except OSError:
            continue
        fds[d] = fd
        rules.append((fd, FS_EXECUTE | FS_READ_FILE | FS_READ_DIR))
    for path, rights in (("/etc/ld.so.cache", FS_READ_FILE), ("/dev/urandom", FS_READ_FILE),
                         ("/dev/random", FS_READ_FILE), ("/dev/zero", FS_READ_FILE),
                         ("/dev/null", FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE)):
        with contextlib.suppress(OSError):
            rules.append((fcntl_dupfd(os.open(path, O_PATH | os.O_CLOEXEC)), rights))
    return fds, rules, notes


def fcntl_dupfd(fd: int, lowest: int = 10) -> int:
    """Move ``fd`` to a number >= ``lowest`` (fds 0-9 are reserved for the child's own layout)."""
    import fcntl

    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest)
    os.close(fd)
    return new


class Caps:
    """What this machine lets the zygote do, probed once at start-up."""

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.linux = sys.platform.startswith("linux")
        self.root = os.geteuid() == 0
        self.drop_uid = self.root
        if not self.root:
            self.notes.append(f"not running as root: the child keeps the grading user's uid {os.geteuid()}")
        self.netns = False
        self.userns = False
        if self.linux:
            try:
                if self.root:
                    _unshare(CLONE_NEWNET)
                else:
                    uid, gid = os.geteuid(), os.getegid()
                    _unshare(CLONE_NEWUSER | CLONE_NEWNET)
                    self.userns = True
                    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                                       ("gid_map", f"{gid} {gid} 1")):
                        with open(f"/proc/self/{name}", "w") as f:
                            f.write(text)
                self.netns = True
            except OSError as e:
                self.notes.append(f"no network namespace ({e.strerror}): the child may use the network")
        else:
            self.notes.append(f"no network namespace on {sys.platform}: the child may use the network")
        self.pidns_fd = -1
        if self.linux:
            try:
                fd = fcntl_dupfd(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))
                _unshare(CLONE_NEWPID)
                _setns(fd, CLONE_NEWPID)
                self.pidns_fd = fd
            except OSError as e:
                self.notes.append(f"no PID namespace ({e.strerror}): processes that leave the child's process"
                                  " group are reaped only as orphans")
        self.landlock = landlock_abi()
        self.read_dirs, self.rules, notes = _read_paths() if self.linux else ({}, [], [])
        if self.landlock:
            self.notes.extend(notes)
        else:
            self.notes.append("no Landlock: the child can read (not write, if uid dropping works) files that its uid"
                              " may read, including nnprep's own sources")
        if not self.root and not self.landlock:
            self.notes.append("files the grading user may write are writable by the child")
        import fcntl  # noqa: F401  (used by every child)

        self.kept_fds: set[int] = set()
        try:
            _prctl(PR_SET_CHILD_SUBREAPER, 1)
            self.subreaper = True
        except OSError:
            self.subreaper = False

    def hello(self) -> dict[str, Any]:
        return {
            "op": "hello", "pid": os.getpid(), "netns": self.netns, "pidns": self.pidns_fd >= 0,
            "landlock": self.landlock, "drop_uid": self.drop_uid, "notes": self.notes,
            "rlimits": [n for n in RLIMITS if hasattr(resource, f"RLIMIT_{n}")],
        }


# ------------------------------------------------------------------------------------------------ control socket


class Control:
    """Length-prefixed JSON messages with the grading process; ``run`` messages carry file descriptors."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.fds: list[int] = []
        self.pending: list[dict[str, Any]] = []  # read while a child ran, not about it: served after it

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def _message(self) -> dict[str, Any] | None:
        if len(self.buf) < 4:
            return None
        (n,) = struct.unpack_from(">I", self.buf)
        if len(self.buf) < 4 + n:
            return None
        message: dict[str, Any] = json.loads(bytes(self.buf[4 : 4 + n]))
        del self.buf[: 4 + n]
        return message

    def recv(self) -> dict[str, Any] | None:
        """The next message (blocking), those kept while a child ran first; None at end of file."""
        return self.pending.pop(0) if self.pending else self.read()

    def read(self) -> dict[str, Any] | None:
        """The next message from the socket (blocking); None at end of file."""
        while True:
            message = self._message()
            if message is not None:
                return message
            data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 16, 16)
            self.fds.extend(fds)
            if not data:
                return None
            self.buf += data


# ------------------------------------------------------------------------------------------------ the child


class _ImportBlocker:
    """Refuses to import nnprep's own packages (their files are also outside Landlock's allowed paths)."""

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in BLOCKED_PACKAGES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


class PathTable:
    """Where import paths point, prepared once in the zygote so a child can remap them without syscalls.

    A child dropped to uid 65534 may be unable to walk to the stdlib (e.g. under a 0700 /root); it then imports
    through ``/proc/self/fd/N`` of an O_PATH fd the zygote opened while privileged (Landlock still applies to the
    real files).
    """

    def __init__(self, read_dirs: dict[str, int]) -> None:
        self.prefixes: list[tuple[str, str, str]] = []  # (text prefix, allowed real dir, rest below it)
        texts = {p for p in sys.path if p} | {os.path.dirname(numpy.__file__)}
        for text in sorted(texts, key=len, reverse=True):
            real = os.path.realpath(text)
            for d in read_dirs:
                if real == d or real.startswith(d + "/"):
                    self.prefixes.append((text, d, real[len(d):]))
                    break
        self.lists: list[Any] = [
            m.__path__ for m in list(sys.modules.values())
            if isinstance(getattr(m, "__path__", None), list)
            and any(isinstance(e, str) and e.startswith(t) for e in m.__path__ for t, _, _ in self.prefixes)
        ]
        self.sys_path = [p for p in sys.path if p and "site-packages" not in p and "dist-packages" not in p]

    def remapper(self, remap: dict[str, str]) -> list[tuple[str, str]]:
        return [(text, remap[d] + rest) for text, d, rest in self.prefixes if d in remap]


def _fix(path: str, table: list[tuple[str, str]]) -> str:
    for text, target in table:
        if path == text or path.startswith(text + "/"):
            return target + path[len(text):]
    return path


def isolate_imports(caps: Caps) -> None:
    """Done once in the zygote, inherited by every child: only the stdlib on sys.path (reached through
    /proc/self/fd when the child will drop its uid), no editable finders, and a blocker for our own packages."""
    paths = PathTable(caps.read_dirs)
    remap = {d: f"/proc/self/fd/{fd}" for d, fd in caps.read_dirs.items()} if caps.drop_uid else {}
    table = paths.remapper(remap)
    sys.path[:] = [_fix(p, table) for p in paths.sys_path]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
    sys.meta_path.insert(0, _ImportBlocker)
    sys.path_hooks[:] = [h for h in sys.path_hooks if "editable" not in repr(h)]
    sys.path_importer_cache.clear()
    for name in [n for n in sys.modules if n.partition(".")[0] in BLOCKED_PACKAGES or "editable" in n]:
        del sys.modules[name]
    for entries in paths.lists:
        entries[:] = [_fix(e, table) if isinstance(e, str) else e for e in entries]
    caps.kept_fds = set(caps.read_dirs.values()) if remap else set()


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


def _child_main(caps: Caps, message: dict[str, Any], fds: list[int], tmp: str) -> None:
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
        rule_fds = {fd for fd, _ in caps.rules}
        tmp_fd = os.open(tmp, O_PATH | os.O_DIRECTORY) if caps.landlock else -1
        _close_all_but({0, 1, 2, 3, tmp_fd, *rule_fds})

        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        env.update({k: v for k, v in os.environ.items() if k.endswith("_NUM_THREADS")})
        os.environ.clear()
        os.environ.update(env)
        os.chdir(tmp)
        tempfile.tempdir = tmp

        applied: dict[str, Any] = {"rlimits": [], "uid": os.geteuid(), "landlock": 0, "notes": []}
        applied["rlimits"] = _set_rlimits(message["limits"])
        if caps.drop_uid:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
            applied["uid"] = os.geteuid()
        if caps.linux:
            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            _prctl(PR_SET_NO_NEW_PRIVS, 1)
        if caps.landlock:
            rules = [*caps.rules, (tmp_fd, _fs_handled(caps.landlock) & ~FS_EXECUTE)]
            try:
                landlock_restrict(caps.landlock, rules)
                applied["landlock"] = caps.landlock
            except OSError as e:
                applied["notes"].append(f"Landlock failed in the child: {e}")
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
                    message = ctl._message()
    finally:
        if pidfd >= 0:
            os.close(pidfd)


def serve(ctl: Control, caps: Caps, base: str) -> None:
    ctl.send(caps.hello())
    while True:
        message = ctl.recv()
        if message is None or message.get("op") == "quit":
            return
        if message.get("op") != "run":
            continue
        fds, ctl.fds = ctl.fds[:3], ctl.fds[3:]
        tmp = tempfile.mkdtemp(prefix="run-", dir=base)
        if caps.drop_uid:
            os.chown(tmp, NOBODY, NOBODY)
        if caps.pidns_fd >= 0:
            _unshare(CLONE_NEWPID)
        pid = os.fork()
        if pid == 0:
            try:
                _child_main(caps, message, fds, tmp)
            finally:
                os._exit(child.EXIT_SETUP_FAILED)
        if caps.pidns_fd >= 0:
            _setns(caps.pidns_fd, CLONE_NEWPID)
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
    ctl = Control(socket.socket(fileno=int(CONFIG["ctl_fd"])))
    base = str(CONFIG["base"])
    caps = Caps()
    isolate_imports(caps)
    gc.freeze()  # what exists now is shared with every child: their collections will not touch (and copy) it
    gc.enable()
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            serve(ctl, caps, base)
    finally:  # the grading process has gone (or asked us to quit): leave no temp dirs
        cleanup.remove_tree(base)


if __name__ == "__main__":
    main()
