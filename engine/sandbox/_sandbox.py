"""The grading side of the sandbox: ``Sandbox`` drives a zygote and turns what its children send into results.

Everything read from a child is hostile: frames are size-capped and validated (``_wire``), arrays arrive as
``.npy`` blobs read without pickle, verdicts about values are computed here from those values alone, and any
malformed or unexpected frame ends that child (the call in progress gets ``runtime_error``). Time is enforced
from outside: the zygote SIGKILLs the child's process group and PID namespace when a deadline passes.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from engine.limits import Limits
from engine.report import Isolation, Verdict
from engine.runner import RunResult
from engine.sandbox import _launch
from engine.sandbox import _wire as wire
from engine.task import Call, CallResult, FunctionRef, RngSeed

MAX_RESTARTS = 3
STARTUP_TIMEOUT = 60.0
KILL_TIMEOUT = 10.0
EXIT_SETUP_FAILED = 121  # mirrors _child.py
EXIT_CHANNEL_LOST = 122
_CHILD_VERDICTS = {Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT_EXCEEDED, Verdict.MISSING_FUNCTION}
_FATAL_VERDICTS = {Verdict.SYNTAX_ERROR, Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT_EXCEEDED}


class SandboxError(RuntimeError):
    """The sandbox itself failed (the zygote could not start or stopped answering)."""


# ------------------------------------------------------------------------------------------------ encoding


def _arg_tree(value: object, blobs: list[bytes]) -> dict[str, Any]:
    if isinstance(value, RngSeed):
        return {"t": "rng", "seed": str(int(value.seed))}
    if isinstance(value, FunctionRef):
        return {"t": "fn", "name": value.name}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, np.generic):
        blobs.append(wire.encode_array(np.asarray(value)))
        return {"t": "scalar", "b": len(blobs) - 1}
    if isinstance(value, tuple | list):
        return {"t": "seq", "items": [_arg_tree(v, blobs) for v in value]}
    return wire.encode_value(value, blobs)


def encode_inputs(source: str, calls: Sequence[Call], functions: Sequence[str]) -> bytes:
    """The one frame a child reads: the source, the function names and every call's arguments."""
    blobs: list[bytes] = []
    encoded = [{"function": c.function, "args": {k: _arg_tree(v, blobs) for k, v in c.args.items()}} for c in calls]
    header = {"source": source, "functions": list(functions), "calls": encoded}
    return wire.encode_frame(header, blobs)


def _input_fd(data: bytes) -> int:
    """A sealed memfd (or an unlinked temp file) holding ``data``; every child of the run reads it with pread."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("nnprep-inputs", os.MFD_CLOEXEC | getattr(os, "MFD_ALLOW_SEALING", 0))
    else:  # pragma: no cover - non-Linux
        f = tempfile.TemporaryFile()  # noqa: SIM115
        fd = os.dup(f.fileno())
        f.close()
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    seals = sum(getattr(fcntl, n, 0) for n in ("F_SEAL_SEAL", "F_SEAL_SHRINK", "F_SEAL_GROW", "F_SEAL_WRITE"))
    if seals and hasattr(fcntl, "F_ADD_SEALS"):
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, seals)
    return fd


def _rmtree(path: str) -> None:
    """Remove ``path`` even if the submission made parts of it unreadable."""

    def retry(func: Any, target: str, _exc: Any) -> None:
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(target), 0o700)
            os.chmod(target, 0o700)
            func(target)

    shutil.rmtree(path, onerror=retry)
    if os.path.exists(path):
        shutil.rmtree(path, ignore_errors=True)


def _missing_lines(missing: object) -> list[str]:
    """The zygote's {protection: reason}, as "a, b: reason" with the protections that share a reason together."""
    by_reason: dict[str, list[str]] = {}
    for name, reason in dict(missing).items() if isinstance(missing, dict) else ():
        by_reason.setdefault(str(reason), []).append(str(name))
    return [f"{', '.join(names)}: {reason}" for reason, names in by_reason.items()]


def _verdict(value: object) -> Verdict:
    try:
        return Verdict(str(value))
    except ValueError:
        raise wire.ProtocolError("bad verdict") from None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


# ------------------------------------------------------------------------------------------------ a run


@dataclass
class _Output:
    """Captured stdout+stderr of every child of a run, capped at ``limit`` bytes."""

    limit: int
    data: bytearray = field(default_factory=bytearray)
    over: bool = False

    def add(self, chunk: bytes) -> bool:
        """Keep what fits; True when the limit has just been exceeded."""
        room = self.limit - len(self.data)
        self.data += chunk[: max(room, 0)]
        if len(chunk) > room and not self.over:
            self.over = True
            return True
        return False

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        return text + ("\n[output truncated]" if self.over else "")


@dataclass
class _Failure:
    verdict: Verdict
    message: str


@dataclass
class _Attempt:
    """One child's share of a run: it imports the source and makes calls ``start`` onwards."""

    start: int
    phase: str = "setup"  # setup -> import -> calls -> done
    current: int = -1  # index of the call in progress (-1: importing)
    fatal: _Failure | None = None
    failure: _Failure | None = None  # why this child stopped early
    applied: dict[str, Any] | None = None
    status: int | None = None


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
        for entry in os.listdir(self._base) if self._base and os.path.isdir(self._base) else ():
            _rmtree(os.path.join(self._base, entry))

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
        message: dict[str, Any] = json.loads(bytes(self._ctl_buf[4 : 4 + n]))
        del self._ctl_buf[: 4 + n]
        return message

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

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        """Execute ``source`` in a sandboxed child, check it defines ``functions``, then make ``calls`` in order."""
        with self._lock:
            started = time.monotonic()
            self._ensure()
            memfd = _input_fd(encode_inputs(source, calls, functions))
            try:
                result = self._run(memfd, list(calls), limits, started)
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
                    _rmtree(self._base)
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

    def _run(self, memfd: int, calls: list[Call], limits: Limits, started: float) -> RunResult:
        n = len(calls)
        results: list[CallResult | None] = [None] * n
        output = _Output(limits.max_output_kb * 1024)
        total_deadline = started + limits.total_time_limit
        hello = self._hello or {}
        isolation: Isolation | None = None
        start = 0
        restarts = 0
        while True:
            attempt = _Attempt(start=start)
            self._attempt(attempt, memfd, calls, results, limits, output, total_deadline, restarts > 0)
            if isolation is None and attempt.applied is not None:
                isolation = self._isolation(hello, attempt.applied)
            if attempt.phase == "done":
                break
            failure = attempt.fatal or attempt.failure or _Failure(
                Verdict.INTERNAL_ERROR, "the sandboxed process stopped without a reason")
            if attempt.current < 0:  # the import failed
                if start == 0 and all(r is None for r in results):
                    return RunResult(
                        calls=[], stdout=output.text(), fatal_verdict=failure.verdict,
                        fatal_message=failure.message, isolation=isolation or self._isolation(hello, None),
                    )
                self._fill(calls, results, start, failure.verdict,
                           f"not run: importing the file again in a fresh process failed: {failure.message}")
                break
            index = attempt.current
            if index >= n:  # the failure came after the last call's result (a forked copy writing, say)
                break
            if results[index] is None:
                results[index] = CallResult(calls[index], error=failure.message, error_verdict=failure.verdict)
            start = index + 1
            if start >= n:
                break
            if time.monotonic() >= total_deadline:
                self._fill(calls, results, start, Verdict.TIME_LIMIT_EXCEEDED,
                           f"not run: the total time limit of {limits.total_time_limit:g} s was used up")
                break
            if restarts >= MAX_RESTARTS:
                self._fill(calls, results, start, failure.verdict,
                           f"not run: {MAX_RESTARTS + 1} processes failed; the last: {failure.message}")
                break
            restarts += 1
        final = [r if r is not None else CallResult(c, error="not run", error_verdict=Verdict.INTERNAL_ERROR)
                 for r, c in zip(results, calls, strict=True)]
        return RunResult(calls=final, stdout=output.text(), isolation=isolation or self._isolation(hello, None))

    @staticmethod
    def _fill(calls: list[Call], results: list[CallResult | None], start: int, verdict: Verdict, message: str) -> None:
        for i in range(start, len(calls)):
            if results[i] is None:
                results[i] = CallResult(calls[i], error=message, error_verdict=verdict)

    def _attempt(
        self, attempt: _Attempt, memfd: int, calls: list[Call], results: list[CallResult | None], limits: Limits,
        output: _Output, total_deadline: float, restarted: bool,
    ) -> None:
        """Run one child to its end, filling ``results`` and recording how it ended in ``attempt``."""
        try:
            self._ensure()
        except SandboxError as e:
            attempt.failure = _Failure(Verdict.INTERNAL_ERROR, str(e))
            return
        out_r, out_w = os.pipe()
        res_r, res_w = os.pipe()
        for fd in (out_r, res_r):
            os.set_blocking(fd, False)
        try:
            try:
                self._send({"op": "run", "start": attempt.start, "limits": asdict(limits)},
                           [memfd, out_w, res_w])
            except OSError:
                self._stop_zygote()
                attempt.failure = _Failure(Verdict.INTERNAL_ERROR, "the sandbox's zygote is not running")
                return
            finally:
                os.close(out_w)
                os.close(res_w)
            _Driver(self, attempt, calls, results, limits, output, total_deadline, restarted, out_r, res_r).drive()
        finally:
            os.close(out_r)
            os.close(res_r)


class _Driver:
    """The event loop of one child: reads its output and frames, enforces deadlines, waits for its end."""

    def __init__(
        self, sandbox: Sandbox, attempt: _Attempt, calls: list[Call], results: list[CallResult | None],
        limits: Limits, output: _Output, total_deadline: float, restarted: bool, out_r: int, res_r: int,
    ) -> None:
        self.sb = sandbox
        self.a = attempt
        self.calls = calls
        self.results = results
        self.limits = limits
        self.output = output
        self.total_deadline = total_deadline
        self.restarted = restarted
        self.out_r = out_r
        self.res_r = res_r
        self.reader = wire.FrameReader()
        now = time.monotonic()
        self.step_started = now
        self.step_deadline = now + limits.time_limit
        self.killing = False
        self.kill_deadline = 0.0
        self.exited = False
        self.end_deadline: float | None = None
        self.open_fds = {out_r, res_r}

    # -------------------------------------------------------------------------------- helpers

    def _kill(self, failure: _Failure | None) -> None:
        if failure is not None and self.a.failure is None and self.a.fatal is None and self.a.phase != "done":
            self.a.failure = failure
        if not self.killing:
            self.killing = True
            self.kill_deadline = time.monotonic() + KILL_TIMEOUT
            with contextlib.suppress(OSError):
                self.sb._send({"op": "kill"})

    def _step(self) -> None:
        now = time.monotonic()
        self.step_started = now
        self.step_deadline = now + self.limits.time_limit

    def _where(self) -> str:
        if self.a.current < 0:
            return "while importing the file"
        if self.a.current >= len(self.calls):  # frames after the last call (a forked copy of the child, say)
            return "after the last call"
        return f"in {self.calls[self.a.current].function}"

    def _read(self, fd: int) -> bool:
        """Read what is available on ``fd``; False at end of file."""
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                return True
            except OSError as e:
                if e.errno == errno.EINTR:
                    continue
                raise
            if not chunk:
                self.open_fds.discard(fd)
                return False
            if fd == self.out_r:
                if self.restarted and self.a.phase in ("setup", "import"):
                    continue  # a fresh process re-imports the file: its import-time output was already kept
                if self.output.add(chunk):
                    limit = self.limits.max_output_kb
                    self._kill(_Failure(Verdict.OUTPUT_LIMIT_EXCEEDED,
                                        f"printed more than the output limit of {limit} KiB {self._where()}"))
            else:
                if self.out_r in self.open_fds:
                    self._read(self.out_r)  # the child flushed its output before writing the frame
                try:
                    frames = self.reader.feed(chunk)
                except wire.ProtocolError as e:
                    self._protocol(str(e))
                    return True
                for header, blobs in frames:
                    if self.killing:
                        break
                    try:
                        self._frame(header, blobs)
                    except wire.ProtocolError as e:
                        self._protocol(str(e))

    def _protocol(self, what: str) -> None:
        self._kill(_Failure(Verdict.RUNTIME_ERROR,
                            f"the submission interfered with the sandbox's result channel {self._where()} ({what})"))

    # -------------------------------------------------------------------------------- frames

    def _frame(self, header: dict[str, Any], blobs: list[memoryview]) -> None:
        kind = header.get("kind")
        a = self.a
        if kind == "setup" and a.phase == "setup":
            applied = header.get("applied")
            a.applied = applied if isinstance(applied, dict) else {}
            a.phase = "import"
        elif kind == "setup_failed":
            message = header.get("message")
            self._kill(_Failure(Verdict.INTERNAL_ERROR, "the sandbox could not set up the child: "
                                + wire.clean_text(message if isinstance(message, str) else "?", 500)))
        elif kind == "fatal" and a.phase == "import":
            verdict = _verdict(header.get("verdict"))
            message = header.get("message")
            if verdict not in _FATAL_VERDICTS or not isinstance(message, str):
                raise wire.ProtocolError("bad fatal frame")
            a.fatal = _Failure(verdict, wire.clean_text(message, 4000))
            a.phase = "fatal"
        elif kind == "imported" and a.phase == "import":
            a.phase = "calls"
            a.current = a.start
            self._step()
        elif kind == "result" and a.phase == "calls" and header.get("index") == a.current < len(self.calls):
            self.results[a.current] = self._result(header, blobs)
            a.current += 1
            self._step()
        elif kind == "done" and a.phase == "calls" and a.current == len(self.calls):
            a.phase = "done"
        else:
            raise wire.ProtocolError(f"unexpected {wire.clean_text(str(kind), 40)!r} frame")

    def _result(self, header: dict[str, Any], blobs: list[memoryview]) -> CallResult:
        call = self.calls[self.a.current]
        elapsed = time.monotonic() - self.step_started
        claimed = header.get("seconds")
        seconds = elapsed
        if isinstance(claimed, int | float) and claimed == claimed:  # not NaN; clamped to what we measured
            seconds = min(max(float(claimed), 0.0), elapsed)
        if "verdict" in header:
            verdict = _verdict(header.get("verdict"))
            message = header.get("message")
            if verdict not in _CHILD_VERDICTS or not isinstance(message, str):
                raise wire.ProtocolError("bad error result")
            if verdict is Verdict.MEMORY_LIMIT_EXCEEDED:
                message = f"{message}\n(memory limit {self.limits.memory_mb} MiB)"
            return CallResult(call, error=wire.clean_text(message, 4000), error_verdict=verdict, seconds=seconds)
        mutated_raw = header.get("mutated")
        arrays = {k for k, v in call.args.items() if isinstance(v, np.ndarray)}
        arrays.update(  # arrays inside tuple arguments are checked too, named like grads[1]
            f"{k}[{i}]" for k, v in call.args.items() if isinstance(v, tuple)
            for i, item in enumerate(v) if isinstance(item, np.ndarray)
        )
        if not isinstance(mutated_raw, list) or not all(isinstance(m, str) and m in arrays for m in mutated_raw):
            raise wire.ProtocolError("bad mutated list")
        mutated = tuple(k for k in sorted(arrays) if k in mutated_raw)
        try:
            value = wire.decode_value(header.get("value"), blobs)
        except wire.InvalidValue as e:
            return CallResult(
                call, error=f"returned {e}; return NumPy arrays, numbers, None or tuples of these",
                error_verdict=Verdict.INVALID_OUTPUT, mutated=mutated, seconds=seconds,
            )
        return CallResult(call, value=value, mutated=mutated, seconds=seconds)

    # -------------------------------------------------------------------------------- the loop

    def _on_control(self) -> None:
        assert self.sb._ctl is not None
        try:
            data = self.sb._ctl.recv(1 << 16)
        except BlockingIOError:
            return
        if not data:
            self._zygote_lost()
            return
        self.sb._ctl_buf += data
        while (message := self.sb._pop_message()) is not None:
            if message.get("op") == "exited":
                self.a.status = int(message.get("status", 0))
                self.exited = True

    def _zygote_lost(self) -> None:
        self.sb._stop_zygote()
        if self.a.failure is None and self.a.fatal is None and self.a.phase != "done":
            self.a.failure = _Failure(Verdict.INTERNAL_ERROR, f"the sandbox failed {self._where()}")
        self.exited = True

    def drive(self) -> None:
        ctl = self.sb._ctl
        assert ctl is not None
        poller = select.poll()
        for fd in (self.out_r, self.res_r, ctl.fileno()):
            poller.register(fd, select.POLLIN)
        while not self.exited:
            now = time.monotonic()
            if self.killing:
                deadline = self.kill_deadline
            elif self.a.phase in ("done", "fatal"):
                if self.end_deadline is None:  # the child said it finished: it has a moment to exit
                    self.end_deadline = now + self.limits.time_limit
                deadline = self.end_deadline
            else:
                deadline = min(self.step_deadline, self.total_deadline)
            if now >= deadline:
                if self.killing:
                    self._zygote_lost()
                    break
                if self.a.phase in ("done", "fatal"):
                    self._kill(None)
                    continue
                if self.step_deadline <= self.total_deadline:
                    what = f"took longer than the time limit of {self.limits.time_limit:g} s {self._where()}"
                else:
                    what = f"the total time limit of {self.limits.total_time_limit:g} s ran out {self._where()}"
                self._kill(_Failure(Verdict.TIME_LIMIT_EXCEEDED, what))
                continue
            events = poller.poll(max(0.0, deadline - now) * 1000 + 1)
            for fd, _event in events:
                if fd == ctl.fileno():
                    self._on_control()
                    if self.exited:
                        break
                elif fd in self.open_fds and not self._read(fd):
                    poller.unregister(fd)
        # the child is gone: whatever it wrote is in the pipes (no writer is left in its PID namespace)
        for fd in (self.out_r, self.res_r):
            if fd in self.open_fds:
                self._read(fd)
        if self.a.phase not in ("done", "fatal") and self.a.failure is None:
            self.a.failure = self._exit_failure(self.a.status)

    def _exit_failure(self, status: int | None) -> _Failure:
        where = self._where()
        if status is None:
            return _Failure(Verdict.INTERNAL_ERROR, f"the sandboxed process was lost {where}")
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGXCPU:
                return _Failure(Verdict.TIME_LIMIT_EXCEEDED, f"used up its CPU time limit {where}")
            if sig == signal.SIGKILL:
                return _Failure(Verdict.MEMORY_LIMIT_EXCEEDED,
                                f"was killed {where} (probably out of memory; limit {self.limits.memory_mb} MiB)")
            return _Failure(Verdict.RUNTIME_ERROR, f"crashed with signal {_signal_name(sig)} {where}")
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        if code == EXIT_CHANNEL_LOST:
            return _Failure(Verdict.RUNTIME_ERROR,
                            f"closed or replaced the sandbox's file descriptors {where}, so no result came back")
        if code == EXIT_SETUP_FAILED:
            return _Failure(Verdict.INTERNAL_ERROR, "the sandbox could not set up the child process")
        return _Failure(Verdict.RUNTIME_ERROR, f"the process exited with status {code} {where} (os._exit?)")


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
