"""The seccomp program and the Landlock plan, checked without running a child: the BPF program is run by a small
interpreter over (architecture, call) pairs, the plan over folder layouts made in a temp dir."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from engine.sandbox import _landlock as landlock
from engine.sandbox import _seccomp as seccomp

X86_64, AARCH64, I386 = 0xC000003E, 0xC00000B7, 0x40000003


def run_bpf(code: bytes, nr: int, arch: int) -> int:
    """What the filter returns for a call: classic BPF, only the instructions the program uses."""
    data = struct.pack("=iI", nr, arch) + bytes(56)
    insns = [struct.unpack_from("=HBBI", code, i) for i in range(0, len(code), 8)]
    pc, acc = 0, 0
    for _ in range(len(insns)):  # no backward jumps: each instruction runs at most once
        op, jt, jf, k = insns[pc]
        if op == 0x20:
            acc = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif op in (0x15, 0x35):
            taken = acc == k if op == 0x15 else acc >= k
            pc += 1 + (jt if taken else jf)
        elif op == 0x06:
            return k
        else:
            raise AssertionError(f"unexpected BPF op {op:#x}")
    raise AssertionError("fell off the end of the program")


DENY = seccomp.RET_ERRNO | 1


@pytest.mark.parametrize(("arch", "audit", "column"), [("x86_64", X86_64, 0), ("aarch64", AARCH64, 1)])
def test_denied_calls_fail_and_others_pass(arch: str, audit: int, column: int) -> None:
    code = seccomp.program(arch)
    for name, numbers in seccomp.DENIED.items():
        assert run_bpf(code, numbers[column], audit) == DENY, name
    denied = {numbers[column] for numbers in seccomp.DENIED.values()}
    for nr in range(0, 460):
        if nr not in denied:
            assert run_bpf(code, nr, audit) == seccomp.RET_ALLOW, nr


def test_foreign_architectures_and_x32_calls_cannot_slip_through() -> None:
    code = seccomp.program("x86_64")
    assert run_bpf(code, 102, I386) == seccomp.RET_KILL_PROCESS  # i386 socketcall through int 0x80
    assert run_bpf(code, 41, AARCH64) == seccomp.RET_KILL_PROCESS
    assert run_bpf(code, seccomp.X32_SYSCALL_BIT | 41, X86_64) == DENY  # x32 socket()
    assert run_bpf(code, seccomp.X32_SYSCALL_BIT | 0, X86_64) == DENY


def _tree(root: Path, *paths: str) -> None:
    for p in paths:
        target = root / p
        if p.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("x")


def _readable(grants: list[tuple[str, int]], path: Path) -> bool:
    """Whether the plan lets a child read the file ``path`` (some grant with READ_FILE at or above it)."""
    real = str(path.resolve())
    return any((real == g or real.startswith(g + "/")) and rights & landlock.FS_READ_FILE for g, rights in grants)


def test_global_install_keeps_the_stdlib_and_third_party_packages(tmp_path: Path) -> None:
    stdlib = tmp_path / "usr/local/lib/python3.11"
    site = stdlib / "site-packages"
    _tree(stdlib, "os.py", "csv.py", "json/__init__.py", "lib-dynload/_csv.so", "site-packages/numpy/__init__.py",
          "site-packages/scipy/__init__.py", "site-packages/six.py", "site-packages/engine/grader.py",
          "site-packages/questions/bank.toml", "site-packages/quiz/cli.py", "site-packages/nnprep-0.1.dist-info/RECORD")
    grants, notes = landlock.plan([str(stdlib), str(stdlib / "lib-dynload"), str(site)],
                                  landlock.package_paths(str(site)), [str(tmp_path / "home")])
    for ok in ("os.py", "csv.py", "json/__init__.py", "lib-dynload/_csv.so", "site-packages/numpy/__init__.py",
               "site-packages/scipy/__init__.py", "site-packages/six.py"):
        assert _readable(grants, stdlib / ok), ok
    for hidden in ("site-packages/engine/grader.py", "site-packages/questions/bank.toml", "site-packages/quiz/cli.py"):
        assert not _readable(grants, stdlib / hidden), hidden
    rights = dict(grants)
    assert rights[str(stdlib.resolve())] == landlock.FS_READ_DIR  # listed (imports need it), not read whole
    assert notes == []


def test_editable_install_and_home(tmp_path: Path) -> None:
    home = tmp_path / "home/ann"
    _tree(home, "proj/engine/grader.py", "proj/quiz/cli.py", "proj/questions/q.toml", "proj/tests/t.py",
          "proj/.venv/lib/python3.11/site-packages/numpy/__init__.py", ".pyenv/lib/python3.11/os.py", "notes.txt",
          ".ssh/id_ed25519")
    venv_site = home / "proj/.venv/lib/python3.11/site-packages"
    stdlib = home / ".pyenv/lib/python3.11"
    grants, _ = landlock.plan([str(stdlib), str(venv_site), str(home)], landlock.package_paths(str(home / "proj")),
                              [str(home)])
    assert _readable(grants, stdlib / "os.py") and _readable(grants, venv_site / "numpy/__init__.py")
    for hidden in ("proj/engine/grader.py", "proj/tests/t.py", "notes.txt", ".ssh/id_ed25519"):
        assert not _readable(grants, home / hidden), hidden
    assert str(home.resolve()) not in dict(grants)  # the home itself is never granted, not even for listing


def test_symlinked_entries_are_granted_by_their_target(tmp_path: Path) -> None:
    _tree(tmp_path, "real/mod.py", "lib/site-packages/engine/x.py")
    (tmp_path / "lib/mod.py").symlink_to(tmp_path / "real/mod.py")
    (tmp_path / "lib/sneaky").symlink_to(tmp_path / "lib/site-packages/engine")
    grants, _ = landlock.plan([str(tmp_path / "lib")], landlock.package_paths(str(tmp_path / "lib/site-packages")),
                              [])
    assert _readable(grants, tmp_path / "real/mod.py")
    assert not _readable(grants, tmp_path / "lib/site-packages/engine/x.py")


def test_homes_that_hold_system_folders_are_never_hidden(tmp_path: Path) -> None:
    from engine.sandbox import _protections

    for system_home in ("/", "/usr", "/tmp"):
        assert system_home not in _protections._homes(system_home)
    assert str(tmp_path.resolve()) in _protections._homes(str(tmp_path))
