"""The driver of one sandboxed child: reads its output and result frames, enforces deadlines, waits for its end.

Everything read from a child is hostile: frames are size-capped and validated (``_wire``), arrays arrive as
``.npy`` blobs read without pickle, verdicts about values are computed here from those values alone, and any
malformed or unexpected frame ends that child (the call in progress gets ``runtime_error``). Time is enforced
from outside: the zygote SIGKILLs the child's process group and PID namespace when a deadline passes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.limits import Limits
from engine.report import Verdict
from engine.sandbox import _wire as wire
from engine.task import Call, CallResult

if TYPE_CHECKING:
    from engine.sandbox._sandbox import Sandbox

KILL_TIMEOUT = 10.0
EXIT_SETUP_FAILED = 121  # mirrors _child.py
EXIT_CHANNEL_LOST = 122
_CHILD_VERDICTS = {Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT_EXCEEDED, Verdict.MISSING_FUNCTION}
_FATAL_VERDICTS = {Verdict.SYNTAX_ERROR, Verdict.RUNTIME_ERROR, Verdict.MEMORY_LIMIT_EXCEEDED}


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




@dataclass
class Output:
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
class Failure:
    verdict: Verdict
    message: str


@dataclass
class Attempt:
    """One child's share of a run: it imports the source and makes calls ``start`` onwards."""

    start: int
    phase: str = "setup"  # setup -> import -> calls -> done
    current: int = -1  # index of the call in progress (-1: importing)
    fatal: Failure | None = None
    failure: Failure | None = None  # why this child stopped early
    applied: dict[str, Any] | None = None
    status: int | None = None




class Driver:
    """The event loop of one child: reads its output and frames, enforces deadlines, waits for its end."""

    def __init__(
        self, sandbox: Sandbox, attempt: Attempt, calls: list[Call], results: list[CallResult | None],
        limits: Limits, output: Output, total_deadline: float, restarted: bool, out_r: int, res_r: int,
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

    def _kill(self, failure: Failure | None) -> None:
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
                    self._kill(Failure(Verdict.OUTPUT_LIMIT_EXCEEDED,
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
        self._kill(Failure(Verdict.RUNTIME_ERROR,
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
            self._kill(Failure(Verdict.INTERNAL_ERROR, "the sandbox could not set up the child: "
                                + wire.clean_text(message if isinstance(message, str) else "?", 500)))
        elif kind == "fatal" and a.phase == "import":
            verdict = _verdict(header.get("verdict"))
            message = header.get("message")
            if verdict not in _FATAL_VERDICTS or not isinstance(message, str):
                raise wire.ProtocolError("bad fatal frame")
            a.fatal = Failure(verdict, wire.clean_text(message, 4000))
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
            self.a.failure = Failure(Verdict.INTERNAL_ERROR, f"the sandbox failed {self._where()}")
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
                self._kill(Failure(Verdict.TIME_LIMIT_EXCEEDED, what))
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

    def _exit_failure(self, status: int | None) -> Failure:
        where = self._where()
        if status is None:
            return Failure(Verdict.INTERNAL_ERROR, f"the sandboxed process was lost {where}")
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGXCPU:
                return Failure(Verdict.TIME_LIMIT_EXCEEDED, f"used up its CPU time limit {where}")
            if sig == signal.SIGKILL:
                return Failure(Verdict.MEMORY_LIMIT_EXCEEDED,
                                f"was killed {where} (probably out of memory; limit {self.limits.memory_mb} MiB)")
            return Failure(Verdict.RUNTIME_ERROR, f"crashed with signal {_signal_name(sig)} {where}")
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        if code == EXIT_CHANNEL_LOST:
            return Failure(Verdict.RUNTIME_ERROR,
                            f"closed or replaced the sandbox's file descriptors {where}, so no result came back")
        if code == EXIT_SETUP_FAILED:
            return Failure(Verdict.INTERNAL_ERROR, "the sandbox could not set up the child process")
        return Failure(Verdict.RUNTIME_ERROR, f"the process exited with status {code} {where} (os._exit?)")
