"""The driver of one sandboxed child: reads its output and result frames, enforces deadlines, waits for its end.

Everything read from a child is hostile: every frame is decoded and validated by ``_messages.decode_message`` (which
only ever returns a message or raises ``ProtocolError``), the parent's own checks on a result are in
``_results``, and any malformed or unexpected frame is tampering: the child is killed and the call in progress
gets ``runtime_error``. Time is enforced from outside: the zygote SIGKILLs the child's process group and PID
namespace when a deadline passes. Messages to and from the zygote name the child's run (``run_id``).
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.report import Verdict
from engine.sandbox import _messages as messages
from engine.sandbox import _wire as wire
from engine.sandbox._results import RunState, call_result

if TYPE_CHECKING:
    from engine.sandbox._sandbox import Sandbox

KILL_TIMEOUT = 10.0
CANCEL_POLL_SECONDS = 0.05  # how often a cancellable run looks at its cancel event
CANCELLED = "cancelled: the run was stopped before it finished"
READS_PER_TURN = 16  # reads of a pipe before the event loop looks at the clock again
EXIT_SETUP_FAILED = 121  # mirrors _child.py
EXIT_CHANNEL_LOST = 122


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@dataclass
class Failure:
    """Why a child stopped early (or what a call's failure was): the verdict and a sentence."""

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
    failed_after: float = 0.0  # seconds the call in progress had run when its failure was seen


class Driver:
    """The event loop of one child: reads its output and frames, enforces deadlines, waits for its end.

    ``drive`` never leaves the child running: whatever happens (even a bug here), it is killed and its exit seen
    before ``drive`` returns or raises; a zygote that does not confirm the exit in time is replaced.
    """

    def __init__(
        self, sandbox: Sandbox, attempt: Attempt, state: RunState, restarted: bool, out_r: int, res_r: int,
        run_id: int,
    ) -> None:
        self.sb = sandbox
        self.a = attempt
        self.state = state
        self.calls = state.calls
        self.limits = state.limits
        self.restarted = restarted
        self.out_r = out_r
        self.res_r = res_r
        self.run_id = run_id
        self.reader = wire.FrameReader()
        now = time.monotonic()
        self.step_started = now
        self.step_deadline = now + self.limits.time_limit
        self.killing = False
        self.kill_deadline = 0.0
        self.exited = False
        self.end_deadline: float | None = None
        self.open_fds = {out_r, res_r}
        self.flooded = False  # the output limit was exceeded; blamed once the frames already sent are read

    # -------------------------------------------------------------------------------- helpers

    def _kill(self, failure: Failure | None) -> None:
        if failure is not None and self.a.failure is None and self.a.fatal is None and self.a.phase != "done":
            self.a.failure = failure
            self.a.failed_after = time.monotonic() - self.step_started
        if not self.killing and not self.exited:
            self.killing = True
            self.kill_deadline = time.monotonic() + KILL_TIMEOUT
            with contextlib.suppress(OSError):
                self.sb._send({"op": "kill", "run": self.run_id})

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

    @staticmethod
    def _chunk(fd: int) -> bytes | None:
        """What is available on ``fd`` (b"" at end of file), None if nothing is."""
        while True:
            try:
                return os.read(fd, 1 << 20)
            except BlockingIOError:
                return None
            except InterruptedError:
                continue
            except OSError:
                return b""

    def _read_output(self) -> bool:
        """Keep what the child printed (at most ``READS_PER_TURN`` reads, so the deadlines are still checked);
        False at end of file."""
        for _ in range(READS_PER_TURN):
            if (chunk := self._chunk(self.out_r)) is None:
                break
            if not chunk:
                self.open_fds.discard(self.out_r)
                return False
            if self.restarted and self.a.phase in ("setup", "import"):
                continue  # a fresh process re-imports the file: its import-time output was already kept
            if self.state.output.add(chunk):
                self.flooded = True
        return True

    def _read_frames(self, drain_output: bool = True) -> bool:
        """Read and act on the frames available (at most ``READS_PER_TURN`` reads); False at end of file."""
        for _ in range(READS_PER_TURN):
            if (chunk := self._chunk(self.res_r)) is None:
                break
            if not chunk:
                self.open_fds.discard(self.res_r)
                return False
            if drain_output and self.out_r in self.open_fds:
                self._read_output()  # the child flushed its output before writing the frame: count it first
            for header, blobs in self.reader.feed(chunk):
                if self.killing:
                    break
                try:
                    self._frame(messages.decode_message(header, blobs))
                except wire.ProtocolError as e:
                    self._protocol(str(e))
            if self.reader.error is not None:
                self._protocol(self.reader.error)
        return True

    def _blame_flood(self) -> None:
        """The output limit was exceeded: read the frames the child sent before (so the output is blamed on the step
        that printed it, not on the import before it), then stop the child."""
        self.flooded = False
        if self.res_r in self.open_fds:
            self._read_frames(drain_output=False)
        limit = self.limits.max_output_kb
        self._kill(Failure(Verdict.OUTPUT_LIMIT_EXCEEDED,
                           f"printed more than the output limit of {limit} KiB {self._where()}"))

    def _protocol(self, what: str) -> None:
        self._kill(Failure(Verdict.RUNTIME_ERROR,
                           f"the submission interfered with the sandbox's result channel {self._where()} ({what})"))

    # -------------------------------------------------------------------------------- frames

    def _frame(self, msg: messages.Message) -> None:
        a = self.a
        kind = msg.kind
        if kind == "setup" and a.phase == "setup":
            a.applied = msg.applied
            a.phase = "import"
        elif kind == "setup_failed" and a.phase == "setup":  # written before any submission code runs
            self._kill(Failure(Verdict.INTERNAL_ERROR, f"the sandbox could not set up the child: {msg.text}"))
        elif kind == "fatal" and a.phase == "import":
            a.fatal = Failure(Verdict(msg.verdict), msg.text)
            a.phase = "fatal"
        elif kind == "imported" and a.phase == "import":
            a.phase = "calls"
            a.current = a.start
            self._step()
        elif kind == "result" and a.phase == "calls" and msg.index == a.current < len(self.calls):
            seconds = min(msg.seconds, time.monotonic() - self.step_started)  # never more than we measured
            self.state.results[a.current] = call_result(self.state, a.current, msg, seconds)
            a.current += 1
            self._step()
        elif kind == "done" and a.phase == "calls" and a.current == len(self.calls):
            a.phase = "done"
        else:
            raise wire.ProtocolError(f"unexpected {kind!r} frame")

    # -------------------------------------------------------------------------------- the zygote

    def _on_control(self) -> None:
        ctl = self.sb._ctl
        if ctl is None:
            self._zygote_lost("its control socket is closed")
            return
        try:
            data = ctl.recv(1 << 16)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._zygote_lost("it closed its control socket")
            return
        self.sb._ctl_buf += data
        while not self.exited and (message := self.sb._pop_message()) is not None:
            op, status = message.get("op"), message.get("status")
            if message.get("run") != self.run_id or op not in ("started", "exited"):
                self._zygote_lost(f"unexpected control message {wire.clean_text(str(op), 20)!r}")
            elif op == "exited":
                if type(status) is not int:
                    self._zygote_lost("bad exit status")
                    return
                self.a.status = status
                self.exited = True

    def _zygote_lost(self, why: str) -> None:
        """The zygote cannot be trusted any more (gone, silent, or making no sense): replace it."""
        self.sb._stop_zygote()
        if self.a.failure is None and self.a.fatal is None and self.a.phase != "done":
            self.a.failure = Failure(Verdict.INTERNAL_ERROR, f"the sandbox failed {self._where()} ({why})")
        self.exited = True

    # -------------------------------------------------------------------------------- the loop

    def drive(self) -> None:
        """Run the child to its end; it is killed and reaped whatever happens."""
        try:
            self._loop()
        finally:
            self._reap()
        # the child is gone: whatever it wrote is in the pipes (no writer is left in its PID namespace)
        if self.res_r in self.open_fds:
            self._read_frames()
        if self.out_r in self.open_fds:
            self._read_output()
        if self.flooded:
            self._blame_flood()
        if self.a.phase not in ("done", "fatal") and self.a.failure is None:
            self.a.failure = self._exit_failure(self.a.status)
            self.a.failed_after = time.monotonic() - self.step_started

    def _reap(self) -> None:
        """Kill the child if it still runs and wait for the zygote to confirm its exit (or replace the zygote)."""
        if self.exited:
            return
        self._kill(None)
        while not self.exited:
            ctl = self.sb._ctl
            remaining = self.kill_deadline - time.monotonic()
            if ctl is None or remaining <= 0:
                self._zygote_lost("it did not confirm that the child was killed")
                return
            try:
                ready = select.select([ctl], [], [], remaining)[0]
            except (OSError, ValueError):
                ready = []
                self.kill_deadline = 0.0
            if ready:
                self._on_control()

    def _deadline(self, now: float) -> float:
        if self.killing:
            return self.kill_deadline
        if self.a.phase in ("done", "fatal"):
            if self.end_deadline is None:  # the child said it finished: it has a moment to exit
                self.end_deadline = now + self.limits.time_limit
            return self.end_deadline
        return min(self.step_deadline, self.state.total_deadline)

    def _loop(self) -> None:
        ctl = self.sb._ctl
        assert ctl is not None
        poller = select.poll()
        for fd in (self.out_r, self.res_r, ctl.fileno()):
            poller.register(fd, select.POLLIN)
        cancel = self.state.cancel
        while not self.exited:
            now = time.monotonic()
            deadline = self._deadline(now)
            if cancel is not None and cancel.is_set() and not self.killing:
                self._kill(Failure(Verdict.INTERNAL_ERROR, CANCELLED))
                continue
            if now >= deadline:
                if self.killing:
                    self._zygote_lost("it did not kill the child in time")
                elif self.a.phase in ("done", "fatal"):
                    self._kill(None)
                elif self.step_deadline <= self.state.total_deadline:
                    what = f"took longer than the time limit of {self.limits.time_limit:g} s {self._where()}"
                    self._kill(Failure(Verdict.TIME_LIMIT_EXCEEDED, what))
                else:
                    what = f"the total time limit of {self.limits.total_time_limit:g} s ran out {self._where()}"
                    self._kill(Failure(Verdict.TIME_LIMIT_EXCEEDED, what))
                continue
            wait = max(0.0, deadline - now)
            if cancel is not None:
                wait = min(wait, CANCEL_POLL_SECONDS)
            for fd, _event in poller.poll(wait * 1000 + 1):
                if fd == ctl.fileno():
                    self._on_control()
                elif fd in self.open_fds and not (self._read_output() if fd == self.out_r else self._read_frames()):
                    poller.unregister(fd)
                if self.exited:
                    break
            if self.flooded:
                self._blame_flood()

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
