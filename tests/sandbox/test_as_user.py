"""The sandbox, batch and CLI grading as an ordinary user: most machines that grade do not run as root, but this
suite and CI do, so root makes that situation here.

Root builds, in a folder every user can enter, a venv from an interpreter an unprivileged uid can run (the
project's own .venv may live under a 0700 home), with the same NumPy/pydantic/pytest versions as this one, copies
the sources beside it, and runs ``test_scenarios.py`` and ``test_isolation.py`` there as a uid with no passwd entry,
no groups and no capabilities (``setpriv``). Everything is removed afterwards.
"""

from __future__ import annotations

import importlib.metadata
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.installs import copy_distributions

REPO = Path(__file__).resolve().parents[2]
UID = 64_321  # no passwd entry, no files anywhere: what an ordinary user is to the grader's files
PACKAGES = ("numpy", "pydantic", "pytest")
TESTS = ("tests/sandbox/test_scenarios.py", "tests/sandbox/test_isolation.py")
SETPRIV = shutil.which("setpriv")


def _as_user(*command: str, cwd: str = "/", env: dict[str, str] | None = None, timeout: float = 60,
             uid: int = UID) -> subprocess.CompletedProcess[str]:
    assert SETPRIV is not None
    return subprocess.run([SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                           *command], cwd=cwd, env=env or {"PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _world_enterable(path: str) -> bool:
    parts = Path(path).resolve().parts
    return all(os.stat(os.path.join(*parts[: i + 1])).st_mode & stat.S_IXOTH for i in range(len(parts)))


def _interpreter() -> tuple[str, bool] | None:
    """A Python >= 3.11 that the unprivileged uid can run, and whether it is this one's minor version (so that
    this venv's installed packages, compiled ones included, can be copied instead of installed)."""
    same = "assert sys.version_info[:2] == ({}, {})".format(*sys.version_info[:2])
    for candidate in (os.path.realpath(getattr(sys, "_base_executable", sys.executable)), "/usr/bin/python3",
                      "/usr/local/bin/python3"):
        if not os.path.exists(candidate):
            continue
        # Through a shell: setpriv itself may still reach a binary that the uid's own processes cannot exec.
        probe = "import sys, venv; assert sys.version_info >= (3, 11)"
        if _as_user("/bin/sh", "-c", f"exec '{candidate}' -c '{probe}'").returncode == 0:
            return candidate, _as_user("/bin/sh", "-c", f"exec '{candidate}' -c 'import sys; {same}'").returncode == 0
    return None


def _install(venv: Path, same_version: bool) -> None:
    """NumPy, pydantic and pytest in ``venv``: copied from this environment when the Python versions match,
    else installed by pip at this environment's versions."""
    python = str(venv / "bin" / "python")
    if not same_version:
        # Another minor version (the system's 3.11 while this suite runs on 3.12, say) may not have this NumPy:
        # take the versions pinned for that Python.
        constraints = REPO / "constraints.txt"
        pins = (["-c", str(constraints), *PACKAGES] if constraints.is_file()
                else [f"{p}=={importlib.metadata.version(p)}" for p in PACKAGES])
        subprocess.run([python, "-m", "ensurepip", "--default-pip"], check=True, timeout=120,
                       stdout=subprocess.DEVNULL)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
                       check=True, timeout=600, stdout=subprocess.DEVNULL)
        return
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    copy_distributions(PACKAGES, site)


@pytest.fixture(scope="module")
def user_copy() -> Iterator[tuple[str, str]]:
    """(venv python, copy of the sources) that the unprivileged uid can read."""
    if os.geteuid() != 0:
        pytest.skip("not root: the whole suite already runs as an ordinary user")
    if SETPRIV is None:
        pytest.skip("no setpriv to switch to an unprivileged uid")
    found = _interpreter()
    if found is None:
        pytest.skip("no Python >= 3.11 that an unprivileged uid may run")
    parent = next((p for p in ("/var/tmp", "/dev/shm", tempfile.gettempdir()) if os.path.isdir(p)
                   and _world_enterable(p)), None)
    if parent is None:
        pytest.skip("no folder an unprivileged uid can enter")
    base = Path(tempfile.mkdtemp(prefix="nnprep-as-user-", dir=parent))
    try:
        base.chmod(0o755)
        # Everything inside the user's home, as a developer has it: the sandbox hides the home from its children,
        # so their imports must go through the zygote's own handles on these folders.
        home = base / "home"
        home.mkdir()
        (home / "tmp").mkdir()
        subprocess.run([found[0], "-m", "venv", "--without-pip", str(home / "venv")], check=True, timeout=120)
        _install(home / "venv", found[1])
        src = home / "src"
        skip = shutil.ignore_patterns("__pycache__", "__snapshots__", "*.pyc")
        for name in ("engine", "questions", "quiz", "tests"):
            shutil.copytree(REPO / name, src / name, ignore=skip)
        shutil.copy(REPO / "pyproject.toml", src / "pyproject.toml")
        subprocess.run(["chmod", "-R", "a+rX", str(home / "venv"), str(src)], check=True)
        for path in (home, home / "tmp"):
            os.chown(path, UID, UID)
            path.chmod(0o711 if path == home else 0o700)  # another test user reaches the venv and sources too
        yield str(home / "venv" / "bin" / "python"), str(src)
    finally:
        shutil.rmtree(base, ignore_errors=True)


# Run by the unprivileged uid before pytest: a kernel that refuses user namespaces to ordinary users (Debian before
# 11, some hardened systems), made by a seccomp filter on unshare() that survives the exec.
NO_USERNS = """
import os, sys
sys.path.insert(0, os.getcwd())
from engine.sandbox import _seccomp, _syscalls
_syscalls.prctl(_syscalls.PR_SET_NO_NEW_PRIVS, 1)
_seccomp.install({"unshare": (272, 97)})
os.execv(sys.executable, [sys.executable, "-m", "pytest", *sys.argv[1:]])
"""


def _pytest_as_user(user_copy: tuple[str, str], *args: str, kernel_refuses_userns: bool = False, uid: int = UID,
                    home: Path | None = None) -> str:
    python, src = user_copy
    home = home or Path(src).parent
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(home / "tmp"), "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1"}
    start = [python, "-c", NO_USERNS] if kernel_refuses_userns else [python, "-m", "pytest"]
    run = _as_user(*start, "-x", "-p", "no:cacheprovider", "-s", *args, cwd=src, env=env, timeout=300, uid=uid)
    report = run.stdout[-6000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    assert " failed" not in run.stdout and " passed" in run.stdout, report
    return report


@pytest.fixture
def user_with_subordinate_ids(user_copy: tuple[str, str]) -> Iterator[tuple[int, Path]]:
    """A real user made by useradd, with its /etc/subuid and /etc/subgid ranges, and a home; removed afterwards."""
    if shutil.which("newuidmap") is None or shutil.which("useradd") is None:
        pytest.skip("no newuidmap (package uidmap) or useradd on this machine")
    name = f"nnprep-{secrets.token_hex(4)}"
    made = subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                          capture_output=True, text=True, timeout=60)
    if made.returncode != 0:
        pytest.skip(f"useradd failed: {made.stderr.strip()}")
    try:
        uid = pwd.getpwnam(name).pw_uid
        ranges = [Path(p).read_text() if Path(p).exists() else "" for p in ("/etc/subuid", "/etc/subgid")]
        if not all(f"{name}:" in text for text in ranges):
            pytest.skip("useradd gave the user no subordinate ids here")
        home = Path(user_copy[1]).parent.parent / "home-sub"
        (home / "tmp").mkdir(parents=True)
        for path in (home, home / "tmp"):
            os.chown(path, uid, uid)
            path.chmod(0o700)
        yield uid, home
    finally:
        subprocess.run(["userdel", name], capture_output=True, timeout=60)


def test_sandbox_batch_and_cli_as_an_ordinary_user(user_copy: tuple[str, str]) -> None:
    report = _pytest_as_user(user_copy, *TESTS)
    assert "[uid 64321] sandbox: separate process" in report, report
    if Path("/proc/sys/user/max_user_namespaces").read_text().strip() != "0":
        assert "user namespace, no network (netns), pid namespace, ipc namespace, home hidden" in report, report


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="needs the seccomp filter")
def test_as_an_ordinary_user_on_a_kernel_without_user_namespaces(user_copy: tuple[str, str]) -> None:
    report = _pytest_as_user(user_copy, TESTS[0], "-k", "not test_batch", kernel_refuses_userns=True)
    assert "unprivileged uid: not root, and no user namespace to map a spare uid in" in report, report
    assert ("network namespace, PID namespace, IPC namespace, capped /tmp, home hidden, own /proc: this kernel does"
            " not let an ordinary user make namespaces") in report, report


def test_a_user_with_subordinate_ids_gets_the_candidate_dropped_to_one(
    user_copy: tuple[str, str], user_with_subordinate_ids: tuple[int, Path]
) -> None:
    uid, home = user_with_subordinate_ids
    report = _pytest_as_user(user_copy, TESTS[1], "-k", "unprivileged or always", uid=uid, home=home)
    report += _pytest_as_user(user_copy, TESTS[0], "-k", "lines or files or twenty", uid=uid, home=home)
    assert f"[uid {uid}] sandbox: separate process, rlimits(" in report, report
    assert "unprivileged uid, user namespace" in report and "not active: none" in report, report
    assert "2 passed" in report  # test_unprivileged_uid ran: the child is uid 65534 and cannot switch back
