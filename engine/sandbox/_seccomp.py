"""A seccomp filter for the sandbox's children: no sockets, no SysV IPC, no keyrings, no io_uring.

Stdlib only; the zygote loads it by path and injects ``sc`` (``_syscalls.py``) before running it.

The child needs no socket of its own (its results go through pipes it already holds), so ``socket`` and
``socketpair`` fail for every address family -- no pathname or abstract Unix socket, no network -- and so do
``connect``/``bind``/``listen``/``accept`` on anything inherited. SysV IPC and the kernel keyrings would let
candidates leave state behind or talk to each other (a second layer next to the IPC namespace); io_uring could open
and connect sockets without the system calls this filter sees. Denied calls fail with EPERM.

The filter is a classic BPF program: check the architecture (anything but the native one -- an i386 ``int 0x80``
or an x32 call on x86_64 -- kills the process, since the numbers below would not mean the same calls), then compare
the call number with each denied one.
"""

from __future__ import annotations

import ctypes
import errno
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING or __name__.startswith("engine."):
    from engine.sandbox import _syscalls as sc

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000

# name: (x86_64, aarch64)
DENIED: dict[str, tuple[int, int]] = {
    "socket": (41, 198), "socketpair": (53, 199), "connect": (42, 203), "bind": (49, 200), "listen": (50, 201),
    "accept": (43, 202), "accept4": (288, 242),
    "shmget": (29, 194), "shmat": (30, 196), "shmctl": (31, 195), "shmdt": (67, 197),
    "semget": (64, 190), "semop": (65, 193), "semctl": (66, 191), "semtimedop": (220, 192),
    "msgget": (68, 186), "msgsnd": (69, 189), "msgrcv": (70, 188), "msgctl": (71, 187),
    "add_key": (248, 217), "request_key": (249, 218), "keyctl": (250, 219),
    "io_uring_setup": (425, 425), "io_uring_enter": (426, 426), "io_uring_register": (427, 427),
}

_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RET_K = 0x06  # BPF_RET | BPF_K
RET_KILL_PROCESS = 0x80000000
RET_ERRNO = 0x00050000
RET_ALLOW = 0x7FFF0000
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
# Without it the kernel also turns on the Speculative Store Bypass mitigation for the process, which slows NumPy
# code measurably; the child holds no secret of the grader's (it never sees a reference answer) to protect that way.
SECCOMP_FILTER_FLAG_SPEC_ALLOW = 4
OFFSET_NR, OFFSET_ARCH = 0, 4  # in struct seccomp_data


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(arch: str, denied: dict[str, tuple[int, int]] = DENIED) -> bytes:
    """The filter for ``arch`` ("x86_64" or "aarch64") as packed ``struct sock_filter`` instructions: the calls
    in ``denied`` (name: (x86_64 number, aarch64 number)) fail with EPERM."""
    column = 0 if arch == "x86_64" else 1
    numbers = sorted({nrs[column] for nrs in denied.values()})
    code = [
        _insn(_LD_W_ABS, 0, 0, OFFSET_ARCH),
        _insn(_JEQ_K, 1, 0, AUDIT_ARCH[arch]),
        _insn(_RET_K, 0, 0, RET_KILL_PROCESS),
        _insn(_LD_W_ABS, 0, 0, OFFSET_NR),
    ]
    checks = [(_JGE_K, X32_SYSCALL_BIT)] if arch == "x86_64" else []
    checks += [(_JEQ_K, nr) for nr in numbers]
    # After the checks: [ALLOW, DENY]. From check i (0-based), DENY is len(checks) - i instructions ahead + 1.
    for i, (op, k) in enumerate(checks):
        code.append(_insn(op, len(checks) - i, 0, k))
    code.append(_insn(_RET_K, 0, 0, RET_ALLOW))
    code.append(_insn(_RET_K, 0, 0, RET_ERRNO | errno.EPERM))
    return b"".join(code)


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def supported() -> bool:
    """Whether this process's architecture has a filter here (the kernel may still refuse it)."""
    return sc.LINUX and sc.ARCH in AUDIT_ARCH


def install(denied: dict[str, tuple[int, int]] = DENIED) -> None:
    """Load the filter into this process (every thread). Needs no_new_privs. Raises OSError on failure."""
    if not supported():
        raise OSError(errno.ENOSYS, f"no seccomp filter for {sc.ARCH or 'this architecture'}")
    code = program(sc.ARCH, denied)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.addressof(buffer))
    flags = SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_SPEC_ALLOW
    sc.syscall(sc.SYS_SECCOMP, ctypes.c_uint(SECCOMP_SET_MODE_FILTER), ctypes.c_uint(flags), ctypes.byref(fprog))
