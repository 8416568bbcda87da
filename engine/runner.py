"""The boundary between the grader and whatever runs candidate code (the sandbox)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.limits import Limits
from engine.report import Isolation, Verdict
from engine.task import Call, CallResult

# The shape of each output a call should return (None where unknown), or None if the caller cannot say.
ExpectedShapes = Callable[[Call], Sequence[tuple[int, ...] | None] | None]


@dataclass
class RunResult:
    """What running a submission produced.

    ``calls`` has one entry per requested call, in order; a call that could not run carries ``error_verdict``
    (e.g. ``time_limit_exceeded`` for the call that hung and ``runtime_error`` for calls after a crash).
    ``fatal_verdict`` is set when the file itself failed (syntax error, exception or time-out at import): then no
    call ran.
    """

    calls: list[CallResult]
    stdout: str = ""
    fatal_verdict: Verdict | None = None
    fatal_message: str = ""
    isolation: Isolation = field(default_factory=Isolation)
    seconds: float = 0.0


class Runner(Protocol):
    """Runs a submission's source and the given calls somewhere the grading process is safe from it."""

    def run(self, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits) -> RunResult:
        """Execute ``source`` as a module, check it defines ``functions``, then make ``calls`` in order."""
        ...


class RunCancelled(Exception):
    """The run was cancelled (its ``cancel`` event was set) before it finished; its results are dropped."""


def run_calls(
    runner: Runner, source: str, calls: Sequence[Call], functions: Sequence[str], limits: Limits,
    expected_shapes: ExpectedShapes | None = None, cancel: threading.Event | None = None,
) -> RunResult:
    """``runner.run``, also telling a runner that can use them (``accepts_expected_shapes``) the outputs' expected
    shapes, so that it drops a wrong-shaped output as soon as it arrives instead of keeping it.

    ``cancel``, set from another thread, stops the run: a runner that ``accepts_cancel`` kills its child at once
    (another runner is let finish); either way ``RunCancelled`` is raised instead of returning a result."""
    if cancel is not None and cancel.is_set():
        raise RunCancelled("cancelled before the run started")
    extra: dict[str, Any] = {}
    if expected_shapes is not None and getattr(runner, "accepts_expected_shapes", False):
        extra["expected_shapes"] = expected_shapes
    if cancel is not None and getattr(runner, "accepts_cancel", False):
        extra["cancel"] = cancel
    result = runner.run(source, calls, functions, limits, **extra)
    if cancel is not None and cancel.is_set():
        raise RunCancelled("cancelled while running")
    return result
