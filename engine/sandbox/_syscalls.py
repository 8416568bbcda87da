"""Thin ctypes wrappers for the Linux calls the sandbox needs that ``os`` lacks: unshare, setns, prctl, mount,
capset and raw syscalls.

Stdlib only: the zygote loads this file by path (``python -I -S``, no engine package) and hands it to
``_landlock.py``, ``_seccomp.py`` and ``_protections.py``. Every wrapper raises ``OSError`` with the errno.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import platform
import struct
import sys
from typing import Any

LINUX = sys.platform.startswith("linux")

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REC, MS_PRIVATE = 0x4000, 0x40000

O_PATH = getattr(os, "O_PATH", 0o10000000)

# Syscall numbers that differ by architecture: (x86_64, aarch64). Only these two are supported for the calls
# below; elsewhere the features that need them report themselves unavailable.
_MACHINE = platform.machine().lower()
ARCH = "x86_64" if _MACHINE in ("x86_64", "amd64") else "aarch64" if _MACHINE in ("aarch64", "arm64") else ""
SYS_CAPSET = {"x86_64": 126, "aarch64": 91}.get(ARCH, -1)
SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}.get(ARCH, -1)
# Landlock's numbers are the same on every architecture.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446


def _load_libc() -> Any:
    if not LINUX:
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        return libc
    except (OSError, AttributeError):
        return None


_libc = _load_libc()


def _need_libc() -> Any:
    if _libc is None:
        raise OSError(errno.ENOSYS, "no Linux libc")
    return _libc


def check(result: int, what: str) -> int:
    """``result`` unless it is negative, in which case the OSError for the current errno."""
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def syscall(number: int, *args: Any) -> int:
    """A raw system call; its non-negative result."""
    if number < 0:
        raise OSError(errno.ENOSYS, "system call not known on this architecture")
    return check(int(_need_libc().syscall(ctypes.c_long(number), *args)), f"syscall {number}")


def unshare(flags: int) -> None:
    check(_need_libc().unshare(ctypes.c_int(flags)), "unshare")


def setns(fd: int, nstype: int) -> None:
    check(_need_libc().setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def prctl(option: int, arg: int) -> None:
    check(_need_libc().prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                             ctypes.c_ulong(0)), "prctl")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    check(_need_libc().mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                             ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


def drop_capabilities() -> None:
    """Empty this thread's effective, permitted and inheritable capability sets (capset, version 3)."""
    header = ctypes.create_string_buffer(struct.pack("=Ii", 0x20080522, 0), 8)
    data = ctypes.create_string_buffer(bytes(24), 24)
    syscall(SYS_CAPSET, header, data)


def dupfd_high(fd: int, lowest: int = 10) -> int:
    """Move ``fd`` to a number >= ``lowest`` (fds 0-9 are reserved for the child's own layout)."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest)
    os.close(fd)
    return new
