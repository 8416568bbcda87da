"""Landlock for the sandbox's children: what they may read, and the ruleset that enforces it.

Stdlib only; the zygote loads it by path and injects ``sc`` (``_syscalls.py``) before running it.

What a child may read: the standard library, NumPy, the installed third-party packages and the system's shared
libraries -- but never nnprep's own packages (``engine``, ``questions``, ``quiz``: they hold the reference answers)
nor the grading user's home. A folder that holds none of those is granted whole. A folder that holds one (a
global install puts site-packages, and so nnprep, inside the standard library's folder; an editable install or a
user site puts it under the home) is not granted whole: each of its entries is granted instead, except those that
are or hold a protected path, which are split again the same way. Such a folder itself gets only the right to list
it (so imports can find what is in it), which lets a child see the names of nnprep's files, not read them.
"""

from __future__ import annotations

import ctypes
import os
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING or __name__.startswith("engine."):
    from engine.sandbox import _syscalls as sc

# Filesystem rights, by the ABI that introduced them.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_V1_ALL = (1 << 13) - 1
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

READ_TREE = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
READ_FILE = FS_EXECUTE | FS_READ_FILE
PACKAGES = ("engine", "questions", "quiz")
MAX_DEPTH = 6
MAX_RULES = 4000


def abi() -> int:
    """The kernel's Landlock ABI version, 0 when unavailable."""
    if not sc.LINUX:
        return 0
    try:
        return sc.syscall(sc.SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                          ctypes.c_uint32(CREATE_RULESET_VERSION))
    except OSError:
        return 0


def fs_handled(version: int) -> int:
    """Every filesystem right the kernel's ABI ``version`` knows (all are denied unless a rule allows them)."""
    rights = FS_V1_ALL
    if version >= 2:
        rights |= FS_REFER
    if version >= 3:
        rights |= FS_TRUNCATE
    if version >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def restrict(version: int, rules: list[tuple[int, int]]) -> None:
    """Restrict this (single-threaded) process to ``rules`` (O_PATH fd, allowed rights); no TCP, scoped IPC.

    Needs no_new_privs (or CAP_SYS_ADMIN). Raises OSError if the kernel refuses any step.
    """
    handled = fs_handled(version)
    if version >= 6:
        attr = struct.pack("=QQQ", handled, NET_BIND_TCP | NET_CONNECT_TCP, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    elif version >= 4:
        attr = struct.pack("=QQ", handled, NET_BIND_TCP | NET_CONNECT_TCP)
    else:
        attr = struct.pack("=Q", handled)
    c = ctypes
    ruleset = sc.syscall(sc.SYS_LANDLOCK_CREATE_RULESET, attr, c.c_size_t(len(attr)), c.c_uint32(0))
    try:
        for fd, rights in rules:
            rule = struct.pack("=Qi", rights & handled, fd)
            sc.syscall(sc.SYS_LANDLOCK_ADD_RULE, c.c_int(ruleset), c.c_int(RULE_PATH_BENEATH), rule, c.c_uint32(0))
        sc.syscall(sc.SYS_LANDLOCK_RESTRICT_SELF, c.c_int(ruleset), c.c_uint32(0))
    finally:
        os.close(ruleset)


# ------------------------------------------------------------------------------------------------ what to grant


def package_paths(package_root: str) -> list[str]:
    """Real paths of nnprep's own package folders under ``package_root``."""
    return sorted({os.path.realpath(os.path.join(package_root, p)) for p in PACKAGES})


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def plan(candidates: list[str], packages: list[str], homes: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """Which real paths to grant, with which rights, so that every candidate folder is readable except nnprep's
    ``packages`` (nothing in them) and the ``homes`` (never as a whole: only candidates inside them are granted):
    ([(real path, rights)], notes). ``candidates`` need not exist or be distinct."""
    homes = [os.path.realpath(h) for h in homes if h and h != "/"]
    grants: dict[str, int] = {}
    notes: list[str] = []

    def visit(real: str, depth: int) -> None:
        if real in grants or any(_inside(real, p) for p in packages) or len(grants) >= MAX_RULES:
            return
        is_dir = os.path.isdir(real)
        holds = [p for p in [*packages, *homes] if is_dir and _inside(p, real)]
        if not holds:
            grants[real] = READ_TREE if is_dir else READ_FILE
            return
        if real in homes or depth >= MAX_DEPTH:
            notes.append(f"not allowing {real}: it is or holds {holds[0]}")
            return
        try:
            names = sorted(os.listdir(real))
        except OSError:
            return
        grants[real] = FS_READ_DIR  # list it (imports need that), but read only what is granted below
        for name in names:
            visit(os.path.realpath(os.path.join(real, name)), depth + 1)

    for entry in candidates:
        real = os.path.realpath(entry) if entry else ""
        if real and os.path.exists(real):
            visit(real, 0)
    if len(grants) >= MAX_RULES:
        notes.append(f"Landlock: stopped at {MAX_RULES} rules; some installed files are not readable")
    return sorted(grants.items()), notes


def open_rules(grants: list[tuple[str, int]]) -> tuple[dict[str, int], list[tuple[int, int]]]:
    """O_PATH fds for ``grants``: ({real folder: fd} for the folders, [(fd, rights)] for every rule)."""
    folders: dict[str, int] = {}
    rules: list[tuple[int, int]] = []
    for path, rights in grants:
        try:
            fd = sc.dupfd_high(os.open(path, sc.O_PATH | os.O_CLOEXEC))
        except OSError:
            continue
        if rights != READ_FILE:
            folders[path] = fd
        rules.append((fd, rights))
    return folders, rules


def device_rules() -> list[tuple[int, int]]:
    """The few single files every child needs (the loader's cache, random sources, /dev/null)."""
    rules: list[tuple[int, int]] = []
    for path, rights in (("/etc/ld.so.cache", FS_READ_FILE), ("/dev/urandom", FS_READ_FILE),
                         ("/dev/random", FS_READ_FILE), ("/dev/zero", FS_READ_FILE),
                         ("/dev/null", FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE)):
        try:
            rules.append((sc.dupfd_high(os.open(path, sc.O_PATH | os.O_CLOEXEC)), rights))
        except OSError:
            continue
    return rules
