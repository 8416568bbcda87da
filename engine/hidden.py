"""What a grade says about its hidden cases when the grading policy does not reveal them.

The grader runs the hidden cases' calls in a sandbox run of their own, after the visible examples' run, so that
nothing the candidate's code sees of a hidden input can reach a report through the visible run. Everything the
hidden run's child produces is candidate-controlled and may quote those inputs: its printed output, the text of
its exceptions, the name it gives a value it cannot send, the seconds it claims a call took. This module swaps
each of them for what the grader itself knows: how many bytes were printed, the verdict and the function, the
limits, the call time rounded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from engine.limits import Limits
from engine.report import Verdict
from engine.task import Call, CallResult

NOT_SHOWN = "(details of hidden cases are not shown)"
SECONDS_DIGITS = 2  # a hidden call's time is shown to 10 ms, at most its time limit
REVEALED_HEADER = "--- output during the hidden cases ---"


def output(visible: str, hidden: str, reveal: bool) -> str:
    """The output a report shows: the visible run's, then the hidden run's if ``reveal``, else one neutral line
    saying how much the hidden run printed (nothing when it printed nothing)."""
    if not hidden:
        return visible
    shown = f"{REVEALED_HEADER}\n{hidden}" if reveal else (
        f"({len(hidden.encode('utf-8', 'replace'))} bytes of output during the hidden cases, not shown)"
    )
    if not visible:
        return shown
    return visible + ("" if visible.endswith("\n") else "\n") + shown


def _error_text(verdict: Verdict, limits: Limits) -> str:
    """A sentence about a failed hidden call made from its verdict and the limits alone."""
    texts = {
        Verdict.RUNTIME_ERROR: "raised an exception or stopped",
        Verdict.TIME_LIMIT_EXCEEDED: (
            f"did not finish in time (at most {limits.time_limit:g} s per call, {limits.total_time_limit:g} s in all)"
        ),
        Verdict.MEMORY_LIMIT_EXCEEDED: f"ran out of memory (limit {limits.memory_mb} MiB)",
        Verdict.OUTPUT_LIMIT_EXCEEDED: "printed or returned more than the limits allow",
        Verdict.INVALID_OUTPUT: "returned something other than NumPy arrays, numbers, None or tuples of these",
        Verdict.MISSING_FUNCTION: "is missing or not callable",
        Verdict.SYNTAX_ERROR: "the file did not compile",
        Verdict.INTERNAL_ERROR: "the grader failed, not your code",
    }
    return f"{texts.get(verdict, verdict.value.replace('_', ' '))} {NOT_SHOWN}"


def conceal(result: CallResult, limits: Limits) -> CallResult:
    """A hidden call's result with nothing the child wrote in it: its error text replaced by a sentence of the
    grader's (the verdict stays), its claimed time rounded to 10 ms and capped at the per-call limit. The returned
    value stays: the judge compares it and shows only verdicts, shapes and diagnoses of hidden cases."""
    seconds = min(round(max(result.seconds, 0.0), SECONDS_DIGITS), limits.time_limit)
    if result.error_verdict is None:
        return dataclasses.replace(result, seconds=seconds)
    return dataclasses.replace(
        result, error=_error_text(Verdict(result.error_verdict), limits), seconds=seconds
    )


def failed_calls(calls: Sequence[Call], verdict: Verdict, message: str) -> list[CallResult]:
    """Each of ``calls`` failed with ``verdict`` and ``message`` (a run that failed as a whole, or was never
    started)."""
    return [CallResult(call, error=message, error_verdict=verdict) for call in calls]
