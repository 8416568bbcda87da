"""The grading side of the sandbox: ``Sandbox`` keeps a zygote running and runs each submission as a series of
sandboxed children (a fresh one after a crash or time-out), collecting their results.

The pieces: ``_inputs`` encodes what a child receives, ``_driver`` runs one child and reads what it sends,
``_wire`` decodes and validates every frame, ``_results`` makes the parent's own checks on each result (inputs
modified in place, output sizes), ``_cleanup`` removes what a child left behind, ``_launch`` starts the zygote
(``zygote.py``). A zygote that stops making sense (gone, silent, garbled or off-script control messages) is
stopped and a new one started for the next child.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from engine.limits import Limits
from engine.report import Isolation, Verdict
from engine.runner import ExpectedShapes, RunResult
from engine.sandbox import _launch
from engine.sandbox import _wire as wire
from engine.sandbox._cleanup import remove_tree
from engine.sandbox._driver import CANCELLED, Attempt, Driver, Failure
from engine.sandbox._inputs import encode_inputs, input_fd
from engine.sandbox._results import RunState, input_digests
from engine.task import Call, CallResult

MAX_RESTARTS = 3
STARTUP_TIMEOUT = 60.0


class SandboxError(RuntimeError):
    """The sandbox itself failed (the zygote could not start or stopped answering)."""


def _missing_lines(missing: object) -> list[str]:
    """The zygote's {protection: reason}, as "a, b: reason" with the protections that share a reason together."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in dict(missing).items() if isinstance(missing, dict) else ():
        by_reason.setdefault(str(reason), []).append(str(name))
    return [f"{', '.join(names)}: {reason}" for reason, names in by_reason.items()]


class Sandbox:
    """Runs untrusted submissions in sandboxed children forked from a NumPy-loaded zygote (one job at a time).

    Implements ``engine.runner.Runner``. Create it early: the zygote starts at once, in the background.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._closed = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._ctl: socket.socket | None = None
        self._ctl_buf = bytearray()
        self._hello: dict[str, Any] | None = None
        self._base = ""  # made by _start: the zygote's folder for its children's private temp dirs
        self._runs = 0  # children started: each control message names the child it is about
        self._start()
        _instances.add(self)

    def _after_fork(self) -> None:
        """In a forked copy of the grading process: forget the parent's zygote (never kill it) and start our own
        lazily, in a base dir of our own."""
        self._lock = threading.Lock()
        if self._ctl is not None:
            self._ctl.close()
        self._ctl, self._proc, self._hello, self._ctl_buf = None, None, None, bytearray()
        self._owner = os.getpid()
        self._base = ""

    # ---------------------------------------------------------------------------------------- zygote

    def _start(self) -> None:
        adopted = _launch.adopt() if not self._base else None
        if adopted is not None:
            self._base, self._ctl, self._proc = adopted
        else:
            if not self._base or not os.path.isdir(self._base):
                self._base = _launch.new_base()
            self._ctl, self._proc = _launch.launch(self._base)
        self._ctl_buf = bytearray()
        self._hello = None

    def _stop_zygote(self) -> None:
        proc, self._proc = self._proc, None
        if self._ctl is not None:
            self._ctl.close()
            self._ctl = None
        self._hello = None
        if proc is not None:
            for send in (os.killpg, os.kill):
                with contextlib.suppress(OSError):
                    send(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        entries: list[str] = []
        with contextlib.suppress(OSError):
            entries = os.listdir(self._base) if self._base else []
        for entry in entries:
            remove_tree(os.path.join(self._base, entry))

    def _ensure(self) -> dict[str, Any]:
        if self._closed:
            raise SandboxError("the sandbox is closed")
        if self._proc is None or self._proc.poll() is not None:
            self._stop_zygote()
            self._start()
        if self._hello is None:
            message = self._recv(time.monotonic() + STARTUP_TIMEOUT)
            if message is None or message.get("op") != "hello":
                self._stop_zygote()
                raise SandboxError("the sandbox's zygote did not start")
            self._hello = message
        return self._hello

    def _send(self, message: dict[str, Any], fds: Sequence[int] = ()) -> None:
        assert self._ctl is not None
        data = json.dumps(message).encode()
        data = struct.pack(">I", len(data)) + data
        if fds:
            sent = socket.send_fds(self._ctl, [data], list(fds))
            if sent < len(data):
                self._ctl.sendall(data[sent:])
        else:
            self._ctl.sendall(data)

    def _pop_message(self) -> dict[str, Any] | None:
        if len(self._ctl_buf) < 4:
            return None
        (n,) = struct.unpack_from(">I", self._ctl_buf)
        if len(self._ctl_buf) < 4 + n:
            return None
        try:
            message = json.loads(bytes(self._ctl_buf[4 : 4 + n]))
        except ValueError:
            message = None
        del self._ctl_buf[: 4 + n]
        return message if isinstance(message, dict) else {"op": "invalid"}  # its reader replaces the zygote

    def _recv(self, deadline: float) -> dict[str, Any] | None:
        """The zygote's next message, or None if it closed the socket or the deadline passed."""
        assert self._ctl is not None
        while True:
            message = self._pop_message()
            if message is not None:
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._ctl], [], [], remaining)[0]:
                return None
            data = self._ctl.recv(1 << 16)
            if not data:
                return None
            self._ctl_buf += data

    # ---------------------------------------------------------------------------------------- public API

    @property
    def isolation(self) -> Isolation:
        """The protections this machine gives the sandbox's children (waits for the zygote to start)."""
        with self._lock:
            return self._isolation(self._ensure(), None)

    accepts_expected_shapes = True  # see engine.runner.run_calls
    accepts_cancel = True

    def run(
        self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits,
        expected_shapes: ExpectedShapes | None = None, cancel: threading.Event | None = None,
    ) -> RunResult:
        """Execute ``source`` in a sandboxed child, check it defines ``functions``, then make ``calls`` in order.

        ``expected_shapes`` (optional) gives each call's expected output shapes: a large output of another shape is
        dropped as soon as it arrives (the judge still sees its shape). Setting ``cancel`` (from any thread) stops
        the run within about ``CANCEL_POLL_SECONDS``: the child is killed and reaped, and the result is fatal with
        a message starting "cancelled"; the zygote stays for the next run."""
        with self._lock:
            started = time.monotonic()
            self._ensure()
            state = RunState(list(calls), limits, started + limits.total_time_limit,
                             [input_digests(c) for c in calls], expected_shapes, cancel)
            memfd = input_fd(encode_inputs(source, calls, functions))
            try:
                result = self._run(memfd, state)
            except Exception as e:  # a failure of ours, not the submission's: start afresh next time
                self._stop_zygote()
                raise SandboxError(f"the sandbox failed: {type(e).__name__}: {e}") from e
            finally:
                os.close(memfd)
            result.seconds = time.monotonic() - started
            return result

    def close(self) -> None:
        """Stop the zygote (killing any child) and remove the sandbox's temp dirs."""
        if self._closed:
            return
        self._closed = True
        got = self._lock.acquire(timeout=30)
        try:
            if self._ctl is not None:
                with contextlib.suppress(OSError):
                    self._send({"op": "quit"})
            if self._owner == os.getpid():
                self._stop_zygote()
                if self._base:
                    remove_tree(self._base)
        finally:
            if got:
                self._lock.release()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------- a run

    def _isolation(self, hello: dict[str, Any], applied: dict[str, Any] | None) -> Isolation:
        notes = [str(n) for n in hello.get("notes", [])]
        iso = Isolation(
            separate_process=True,
            rlimits=[str(r) for r in hello.get("rlimits", [])],
            scrubbed_env=True,
            private_tmpdir=True,
            unprivileged_user=bool(hello.get("drop_uid")),
            network_namespace=bool(hello.get("netns")),
            pid_namespace=bool(hello.get("pidns")),
            landlock_abi=int(hello.get("landlock") or 0) or None,
            notes=notes,
            user_namespace=bool(hello.get("userns")),
            ipc_namespace=bool(hello.get("ipcns")),
            capped_tmpdir=bool(hello.get("tmpfs")),
            seccomp=bool(hello.get("seccomp")),
            home_hidden=bool(hello.get("hidden_homes")),
            own_proc=bool(hello.get("own_proc")),
            missing=_missing_lines(hello.get("missing")),
        )
        if applied is not None:  # what the child reported before any submission code ran
            rlimits = applied.get("rlimits")
            if isinstance(rlimits, list):
                iso.rlimits = [str(r)[:16] for r in rlimits][:8]
            uid = applied.get("uid")
            iso.unprivileged_user = iso.unprivileged_user and uid == 65534
            landlock = applied.get("landlock")
            if type(landlock) is int and landlock < (iso.landlock_abi or 0):
                iso.landlock_abi = landlock or None
                iso.missing.append("Landlock: the kernel refused the ruleset in the child")
            if iso.seccomp and applied.get("seccomp") is not True:
                iso.seccomp = False
                iso.missing.append("seccomp: the filter was not loaded in the child")
            extra = applied.get("notes")
            if isinstance(extra, list):
                iso.notes.extend(wire.clean_text(str(n), 300) for n in extra[:8])
        return iso

    def _run(self, memfd: int, state: RunState) -> RunResult:
        calls, results, limits, output = state.calls, state.results, state.limits, state.output
        n = len(calls)
        hello = self._hello or {}
        isolation: Isolation | None = None
        start = 0
        restarts = 0
        while True:
            attempt = Attempt(start=start)
            self._attempt(attempt, memfd, state, restarts > 0)
            if isolation is None and attempt.applied is not None:
                isolation = self._isolation(hello, attempt.applied)
            if state.cancel is not None and state.cancel.is_set():
                return RunResult(calls=[], stdout=output.text(), fatal_verdict=Verdict.INTERNAL_ERROR,
                                 fatal_message=CANCELLED, isolation=isolation or self._isolation(hello, None))
            if attempt.phase == "done":
                break
            failure = attempt.fatal or attempt.failure or Failure(
                Verdict.INTERNAL_ERROR, "the sandboxed process stopped without a reason")
            if attempt.current < 0:  # the import failed
                if start == 0 and all(r is None for r in results):
                    return RunResult(
                        calls=[], stdout=output.text(), fatal_verdict=failure.verdict,
                        fatal_message=failure.message, isolation=isolation or self._isolation(hello, None),
                    )
                self._fill(state, start, failure.verdict,
                           f"not run: importing the file again in a fresh process failed: {failure.message}")
                break
            index = attempt.current
            if index >= n:  # the failure came after the last call's result (a forked copy writing, say)
                break
            if results[index] is None:
                results[index] = CallResult(calls[index], error=failure.message, error_verdict=failure.verdict,
                                            seconds=attempt.failed_after)
            start = index + 1
            if start >= n:
                break
            if time.monotonic() >= state.total_deadline:
                self._fill(state, start, Verdict.TIME_LIMIT_EXCEEDED,
                           f"not run: the total time limit of {limits.total_time_limit:g} s was used up")
                break
            if restarts >= MAX_RESTARTS:
                self._fill(state, start, failure.verdict,
                           f"not run: {MAX_RESTARTS + 1} processes failed; the last: {failure.message}")
                break
            restarts += 1
        final = [r if r is not None else CallResult(c, error="not run", error_verdict=Verdict.INTERNAL_ERROR)
                 for r, c in zip(results, calls, strict=True)]
        return RunResult(calls=final, stdout=output.text(), isolation=isolation or self._isolation(hello, None))

    @staticmethod
    def _fill(state: RunState, start: int, verdict: Verdict, message: str) -> None:
        for i in range(start, len(state.calls)):
            if state.results[i] is None:
                state.results[i] = CallResult(state.calls[i], error=message, error_verdict=verdict)

    def _attempt(self, attempt: Attempt, memfd: int, state: RunState, restarted: bool) -> None:
        """Run one child to its end, filling ``state.results`` and recording how it ended in ``attempt``."""
        try:
            self._ensure()
        except SandboxError as e:
            attempt.failure = Failure(Verdict.INTERNAL_ERROR, str(e))
            return
        self._runs += 1
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        for fd in (out_r, res_r):
            os.set_blocking(fd, False)
        try:
            try:
                self._send({"op": "run", "run": self._runs, "start": attempt.start, "limits": asdict(state.limits)},
                           [memfd, out_w, res_w])
            except OSError:
                self._stop_zygote()
                attempt.failure = Failure(Verdict.INTERNAL_ERROR, "the sandbox's zygote is not running")
                return
            finally:
                os.close(out_w)
                os.close(res_w)
            Driver(self, attempt, state, restarted, out_r, res_r, self._runs).drive()
        finally:
            os.close(out_r)
            os.close(res_r)

# ------------------------------------------------------------------------------------------------ shared instance

_default: Sandbox | None = None
_default_lock = threading.Lock()
_instances: weakref.WeakSet[Sandbox] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    global _default, _default_lock
    _default = None
    _default_lock = threading.Lock()
    for sb in list(_instances):
        sb._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def default_sandbox() -> Sandbox:
    """The process-wide sandbox, created (and its zygote started) on first use and closed at exit."""
    global _default
    with _default_lock:
        if _default is None or _default.closed:
            _default = Sandbox()
            atexit.register(_default.close)
        return _default
