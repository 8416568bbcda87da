"""Which protections this machine gives the sandbox's children: probed once by the zygote, applied in each child.

Stdlib only; the zygote loads it by path and injects ``sc`` (``_syscalls.py``), ``landlock`` (``_landlock.py``)
and ``seccomp`` (``_seccomp.py``) before running it.

Namespaces are made completely or not at all, and the hello message says exactly which exist:

- As root: the zygote enters a network namespace once (every child inherits it); each child gets a PID namespace
  (the zygote unshares it for the next fork and steps back with setns), then makes its own IPC and mount
  namespaces, mounts a size- and inode-capped tmpfs on /tmp and drops to uid 65534.
- As an ordinary user where the kernel allows unprivileged user namespaces: the zygote process makes a user
  namespace, a network namespace and a PID namespace, and forks the real zygote as that PID namespace's first
  process. Owning its PID namespace is what lets it step back with setns after unsharing one per child (it could
  never step back into the host's). Children then make IPC and mount namespaces as above. The user namespace maps
  the user's own ids; with the setuid helpers newuidmap/newgidmap and a range in /etc/subuid and /etc/subgid it
  also maps 65534 to the range's first id, an id that owns no file, and children drop to it. Without them nothing
  else can be mapped: children keep the grading user's uid (Landlock and the hidden home limit what they reach).
  Either way children drop every capability they hold in the user namespace.
- Elsewhere: no namespaces; the private temp dir is a plain folder (each file capped by RLIMIT_FSIZE only).

Landlock (filesystem and TCP rules) and the seccomp filter need no privilege (only no_new_privs) and apply in
every case the kernel supports them. Each probe that could leave this process half-changed runs in a throwaway
child first.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import shutil
import signal
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING or __name__.startswith("engine."):
    from engine.sandbox import _landlock as landlock
    from engine.sandbox import _seccomp as seccomp
    from engine.sandbox import _syscalls as sc

NOBODY = 65534
CHILD_TMP = "/tmp"
SYSTEM_LIBS = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo")


def _homes(home: str) -> list[str]:
    """The grading user's home folders: ``home`` (from the grading process's environment) and the passwd entry's,
    as real paths, leaving out any that is or holds a system folder (/, /usr, /tmp...)."""
    found = [home]
    with contextlib.suppress(KeyError):
        found.append(pwd.getpwuid(os.geteuid()).pw_dir)
    reals = {os.path.realpath(h) for h in found if h and os.path.isdir(h)}
    system = (CHILD_TMP, "/etc", "/dev", "/proc", "/usr", *SYSTEM_LIBS)  # a home there would hide what children need
    return sorted(h for h in reals if not any(s == h or s.startswith(h.rstrip("/") + "/") for s in system))


def _error_in_child(action: Any) -> int:
    """Run ``action()`` in a forked child (so a half-done change never touches this process): 0 if it succeeded,
    else the errno of its OSError (EPERM for anything else)."""
    pid = os.fork()
    if pid == 0:
        code = errno.EPERM
        try:
            action()
            code = 0
        except OSError as e:
            code = e.errno if e.errno and 0 < e.errno < 256 else errno.EPERM
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code if code > 0 else 0 if code == 0 else errno.EPERM


def _in_throwaway_child(action: Any) -> bool:
    """Whether ``action()`` succeeds in a forked child."""
    return _error_in_child(action) == 0


def _enter_user_namespace(uid: int, gid: int, helper: _MapHelper | None) -> bool:
    """Enter new user and network namespaces, mapped by ``helper`` (our ids plus 65534 as a subordinate id) or,
    failing that, by ourselves (our own ids only); whether 65534 is mapped."""
    try:
        sc.unshare(sc.CLONE_NEWUSER | sc.CLONE_NEWNET)
        if helper is not None and helper.map_ids():
            return True
    finally:
        if helper is not None:
            helper.finish()
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:  # no setgroups() in here: the kernel's rule for a self-map
            f.write(text)
    return False


def _become_pid_namespace_init() -> None:
    """Fork; the parent waits for the child and exits with its status, the child (first process of the new PID
    namespace unshared just before) returns and serves as the zygote. It dies with the parent."""
    pid = os.fork()
    if pid == 0:
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
        return
    os.closerange(3, 1 << 16)  # the zygote's control socket is the child's alone now
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    os._exit(max(os.waitstatus_to_exitcode(status), 0) & 0xFF)


def _subordinate(path: str, user: int) -> int | None:
    """The first id of ``user``'s range in /etc/subuid or /etc/subgid (by name or number), None if it has none."""
    names = {str(user)}
    with contextlib.suppress(KeyError):
        names.add(pwd.getpwuid(user).pw_name)
    try:
        with open(path) as f:
            for line in f:
                owner, _, rest = line.strip().partition(":")
                start, _, count = rest.partition(":")
                if owner in names and start.isdigit() and count.isdigit() and int(count) > 0:
                    return int(start)
    except OSError:
        pass
    return None


class _MapHelper:
    """A process left outside the user namespace that the zygote is about to make, to run the setuid helpers
    newuidmap/newgidmap on it: they map NOBODY inside to the first id of the grading user's subordinate ranges,
    an id that owns nothing, besides the user's own uid and gid for the zygote itself."""

    def __init__(self, pid: int, go: int, done: int) -> None:
        self.pid, self.go, self.done = pid, go, done

    @classmethod
    def start(cls, uid: int, gid: int) -> _MapHelper | None:
        tools = [shutil.which(t, path="/usr/bin:/bin:/usr/sbin:/sbin") for t in ("newuidmap", "newgidmap")]
        sub_uid, sub_gid = _subordinate("/etc/subuid", uid), _subordinate("/etc/subgid", uid)
        if None in tools or sub_uid is None or sub_gid is None or NOBODY in (uid, gid):
            return None
        go_r, go_w = os.pipe()
        done_r, done_w = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                low, high = sorted((go_r, done_w))
                for first, last in ((3, low), (low + 1, high), (high + 1, 1 << 16)):  # keep only our two pipe ends
                    os.closerange(first, last)
                if os.read(go_r, 1) == b"1":
                    commands = ((tools[0], uid, sub_uid), (tools[1], gid, sub_gid))
                    ok = all(os.spawnv(os.P_WAIT, str(tool), [str(tool), str(parent), str(own), str(own), "1",
                                                              str(NOBODY), str(sub), "1"]) == 0
                             for tool, own, sub in commands)
                    os.write(done_w, b"1" if ok else b"0")
                    code = 0
            finally:
                os._exit(code)
        os.close(go_r)
        os.close(done_w)
        return cls(pid, go_w, done_r)

    def map_ids(self) -> bool:
        """Ask the helper to map our ids (we are in the new user namespace now); whether it did."""
        os.write(self.go, b"1")
        return os.read(self.done, 1) == b"1"

    def finish(self) -> None:
        for fd in (self.go, self.done):
            os.close(fd)
        os.waitpid(self.pid, 0)


class Caps:
    """What this machine lets the zygote do, probed once at start-up; ``missing`` says why anything is absent."""

    def __init__(self, package_root: str, extra_read: list[str], home: str = "") -> None:
        self.notes: list[str] = []
        self.homes = _homes(home) if sc.LINUX else []
        self.hide_homes: list[str] = []  # mounted over with an empty read-only tmpfs in each child
        self.missing: dict[str, str] = {}
        self.linux = sc.LINUX
        self.root = os.geteuid() == 0
        self.drop_uid = self.root
        self.userns = self.netns = self.ipc_mount = self.own_proc = self.subreaper = False
        self.pidns_fd = -1
        self.kept_fds: set[int] = set()  # O_PATH fds a child keeps to reach its imports (see _child_imports.PathTable)
        if not self.linux:
            reason = f"not available on {sys.platform}"
            for name in ("network namespace", "PID namespace", "IPC namespace", "capped /tmp", "home hidden",
                         "own /proc", "Landlock", "seccomp", "unprivileged uid"):
                self.missing[name] = reason
        else:
            self._namespaces()
        self.landlock = landlock.abi()
        self.read_dirs: dict[str, int] = {}
        self.rules: list[tuple[int, int]] = []
        if self.landlock:
            grants, notes = landlock.plan([*sys.path, *extra_read, *SYSTEM_LIBS],
                                          landlock.package_paths(package_root), self.homes)
            self.read_dirs, self.rules = landlock.open_rules(grants)
            self.rules += landlock.device_rules()
            self.notes.extend(notes)
        elif self.linux:
            may = "read" if self.drop_uid else "read and write"
            self.missing["Landlock"] = (f"the kernel has no Landlock: the child can {may} the files its uid may,"
                                        " nnprep's sources included")
        self.seccomp = self.linux and seccomp.supported() and _in_throwaway_child(self._try_seccomp)
        if self.linux and not self.seccomp:
            self.missing["seccomp"] = ("the kernel refused the filter" if seccomp.supported()
                                       else f"no filter for {sc.ARCH or 'this architecture'}") + \
                ": the child may open sockets (Unix ones included) and use SysV IPC"
        if self.linux:
            try:
                sc.prctl(sc.PR_SET_CHILD_SUBREAPER, 1)
                self.subreaper = True
            except OSError:
                pass

    # ---------------------------------------------------------------------------------------- probing

    def _namespaces(self) -> None:
        if self.root:
            try:
                sc.unshare(sc.CLONE_NEWNET)
                self.netns = True
            except OSError as e:
                self.missing["network namespace"] = f"unshare failed ({e.strerror}): the child may use the network"
        else:
            uid, gid = os.geteuid(), os.getegid()
            # Tried in a throwaway child first: a user namespace cannot be left, so a half-made one (no id map)
            # would break this process for good.
            error = _error_in_child(lambda: _enter_user_namespace(uid, gid, None))
            if error:
                reason = f"this kernel does not let an ordinary user make namespaces ({os.strerror(error)})"
                for name in ("network namespace", "PID namespace", "IPC namespace", "capped /tmp", "home hidden",
                             "own /proc"):
                    self.missing[name] = reason
            else:
                self.drop_uid = _enter_user_namespace(uid, gid, _MapHelper.start(uid, gid))
                self.userns = self.netns = True
            if not self.drop_uid:
                why = ("no subordinate uid for this user (newuidmap and an /etc/subuid range)" if self.userns
                       else "no user namespace to map a spare uid in")
                self.missing["unprivileged uid"] = (f"not root, and {why}, so the child keeps uid {uid}; Landlock"
                                                    " limits what it reads")
            if not self.userns:
                return
            try:
                sc.unshare(sc.CLONE_NEWPID)
            except OSError as e:
                self.missing["PID namespace"] = f"unshare failed ({e.strerror})"
            else:
                _become_pid_namespace_init()
        if "PID namespace" not in self.missing:
            fd = sc.dupfd_high(os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC))

            def step_out_and_back() -> None:
                sc.unshare(sc.CLONE_NEWPID)
                sc.setns(fd, sc.CLONE_NEWPID)

            if _in_throwaway_child(step_out_and_back):
                self.pidns_fd = fd
            else:
                os.close(fd)
                self.missing["PID namespace"] = ("the zygote could not make one per child and step back: processes"
                                                 " that leave the child's process group are reaped only as orphans")
        self.hide_homes = self.homes
        works = _in_throwaway_child(lambda: self._private_tmp(64, 64))
        if not works and self.homes:
            self.hide_homes = []
            works = _in_throwaway_child(lambda: self._private_tmp(64, 64))
            if works:
                self.missing["home hidden"] = "mounting over it failed: the child can stat (not read) its files"
        if works:
            self.ipc_mount = True
        else:
            for name in ("IPC namespace", "capped /tmp", "home hidden", "own /proc"):
                self.missing[name] = "unshare or mount refused in the child"
        if self.ipc_mount and self.pidns_fd < 0:
            self.missing["own /proc"] = "no PID namespace for it"
        elif self.ipc_mount:
            self.own_proc = True
            if not _in_throwaway_child(self._child_in_pid_namespace):
                self.own_proc = False
                self.missing["own /proc"] = "mounting one for the child's PID namespace failed"

    def _child_in_pid_namespace(self) -> None:
        """Set up a grandchild as a run's child is (first process of a new PID namespace); raise if it fails."""
        sc.unshare(sc.CLONE_NEWPID)
        if _error_in_child(lambda: self._private_tmp(64, 64)):
            raise OSError(errno.EPERM, "the child's mounts failed")

    def _try_seccomp(self) -> None:
        sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
        seccomp.install()

    def _private_tmp(self, size_mb: int, inodes: int) -> None:
        """New IPC and mount namespaces for this process, with a fresh tmpfs of the given caps on /tmp."""
        sc.unshare(sc.CLONE_NEWIPC | sc.CLONE_NEWNS)
        sc.mount("none", "/", None, sc.MS_REC | sc.MS_PRIVATE)
        owner = f",uid={NOBODY},gid={NOBODY}" if self.drop_uid else ""
        sc.mount("nnprep-tmp", CHILD_TMP, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC,
                 f"size={size_mb}m,nr_inodes={inodes},mode=0700{owner}")
        for home in self.hide_homes:  # imports that live there go through fds opened before (_child_imports.PathTable)
            sc.mount("nnprep-home", home, "tmpfs", sc.MS_RDONLY | sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC,
                     "size=4k,nr_inodes=2,mode=0555")
        if self.own_proc:  # only the child's own processes (what Landlock hides anyway, where there is Landlock)
            sc.mount("proc", "/proc", "proc", sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC)

    # ---------------------------------------------------------------------------------------- in the child

    def enter_child(self, limits: dict[str, Any], run_dir: str) -> str:
        """Namespaces and the private temp dir for a freshly forked child; returns that dir's path."""
        if not self.ipc_mount:
            return run_dir
        self._private_tmp(int(limits.get("tmp_mb", 64)), int(limits.get("tmp_inodes", 2048)))
        return CHILD_TMP

    def drop_privileges(self) -> int:
        """uid/gid 65534 without supplementary groups where the zygote can (root, or a subordinate id mapped in its
        user namespace), and no capabilities left in any case; the uid the child has afterwards."""
        if self.drop_uid:
            os.setgroups([])
            os.setresgid(NOBODY, NOBODY, NOBODY)
            os.setresuid(NOBODY, NOBODY, NOBODY)
        if self.linux:
            sc.drop_capabilities()  # in a user namespace, leaving a non-zero uid keeps them
        return os.geteuid()

    def lock_down(self, tmp_fd: int, applied: dict[str, Any]) -> None:
        """no_new_privs, Landlock and seccomp, recording in ``applied`` what took effect."""
        if not self.linux:
            return
        sc.prctl(sc.PR_SET_PDEATHSIG, signal.SIGKILL)
        sc.prctl(sc.PR_SET_NO_NEW_PRIVS, 1)
        if self.landlock:
            rules = [*self.rules, (tmp_fd, landlock.fs_handled(self.landlock) & ~landlock.FS_EXECUTE)]
            try:
                landlock.restrict(self.landlock, rules)
                applied["landlock"] = self.landlock
            except OSError as e:
                applied["notes"].append(f"Landlock failed in the child: {e}")
        if self.seccomp:
            seccomp.install()  # it worked at start-up: a failure now is a setup failure
            applied["seccomp"] = True

    def hello(self, rlimits: list[str]) -> dict[str, Any]:
        return {
            "op": "hello", "pid": self._outer_pid(), "netns": self.netns, "pidns": self.pidns_fd >= 0,
            "userns": self.userns, "ipcns": self.ipc_mount, "tmpfs": self.ipc_mount, "seccomp": self.seccomp,
            "hidden_homes": len(self.hide_homes), "own_proc": self.own_proc,
            "landlock": self.landlock, "drop_uid": self.drop_uid, "notes": self.notes, "missing": self.missing,
            "rlimits": rlimits,
        }

    @staticmethod
    def _outer_pid() -> int:
        """This process's pid as the grading process sees it (/proc belongs to the host's PID namespace)."""
        try:
            return int(os.readlink("/proc/self"))
        except (OSError, ValueError):
            return os.getpid()
