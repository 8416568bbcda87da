"""Grade a submission: run its calls in the sandbox, judge every case, cross-check gradients, score.

Every grade draws its hidden cases from a fresh secret seed (kept in the report's ``seed`` for the grader; give it
back as ``seed=`` to re-grade identically) and stays within the limits' total time, cross-check included. The hidden
cases run in a sandboxed child of their own, after the visible examples': what that child prints or says is not
shown unless the policy reveals hidden cases (engine/hidden.py).
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Sequence

import numpy as np

from engine import crosscheck, hidden, numpy2
from engine.judge import judge_call, judge_case
from engine.limits import Limits
from engine.report import VERDICT_SEVERITY, CaseResult, GradeReport, Verdict
from engine.runner import ExpectedShapes, RunCancelled, Runner, RunResult, run_calls
from engine.task import Call, CallResult, Case, Task
from engine.tasks import get_task

MAX_SCORE = 100.0
SEED_BITS = 53  # seeds stay exact in every JSON reader (a double holds 53 bits)
MIN_RUN_SECONDS = 0.05  # a run with less time than this left is not started
FILE_TIME_FACTOR = 3.0  # one file's tasks together get at most this many times the total time limit

# Reads the clock (a test replaces it to simulate slow runs without waiting for them).
_clock = time.perf_counter


def new_seed() -> int:
    """A fresh secret seed for one grade's hidden cases."""
    return secrets.randbits(SEED_BITS)


def check_seed(seed: int) -> int:
    """``seed`` if it is a usable hidden-case seed (a whole number from 0 to 2**63 - 1), else ValueError."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise ValueError(f"a seed is a whole number from 0 to 2**63 - 1, not {seed!r}")
    return seed


def within(limits: Limits, seconds: float) -> Limits:
    """``limits`` with at most ``seconds`` of wall time left in total (and per call)."""
    if seconds >= limits.total_time_limit:
        return limits
    return dataclasses.replace(
        limits, total_time_limit=seconds, time_limit=min(limits.time_limit, seconds)
    )


def grade(
    source: str,
    task_id: str,
    limits: Limits | None = None,
    *,
    runner: Runner | None = None,
    visible_only: bool = False,
    reveal_hidden: bool = False,
    seed: int | None = None,
    cancel: threading.Event | None = None,
) -> GradeReport:
    """Grade ``source`` (a Python file's text) against task ``task_id``.

    The candidate code runs in ``runner`` (by default the shared sandbox); the reference answers are computed here
    and never leave this process. The hidden cases come from ``seed``, by default a fresh secret one (the report's
    ``seed`` keeps it: the same seed re-grades identically). ``visible_only`` runs just the visible examples, as
    "Run examples" does; ``reveal_hidden`` lets hidden cases' results show their inputs and values too (a grading
    policy's choice). Everything, the numerical cross-check included, shares ``limits.total_time_limit``.
    Setting ``cancel`` from another thread stops the grade: the running child is killed and ``RunCancelled`` is
    raised (there is no report: a cancelled grade is not an attempt).
    """
    started = _clock()
    task = get_task(task_id)
    limits = limits or Limits()
    if runner is None:
        from engine.sandbox import default_sandbox

        runner = default_sandbox()
    if visible_only:
        hidden_seed = None
        cases = [c for c in task.cases() if c.visible]
    else:
        hidden_seed = new_seed() if seed is None else check_seed(seed)
        cases = task.cases(hidden_seed)
    cases = [c for c in cases if c.visible] + [c for c in cases if not c.visible]  # the order the runs give
    hidden_calls = [call for case in cases if not case.visible for call in case.calls]
    run = _run_part(task, source, [call for case in cases if case.visible for call in case.calls], runner, limits,
                    started, cancel)
    if run.fatal_verdict is None and hidden_calls:
        run = _with_hidden(task, source, run, hidden_calls, runner, limits, started, cancel, reveal_hidden)
    report = _assemble(task, cases, run, runner, limits, source, reveal_hidden, started + limits.total_time_limit,
                       cancel)
    report.seed = hidden_seed
    report.seconds = _clock() - started
    return report


NOT_RUN = "not run: "  # how a runner marks the calls it gave up on (after too many failed processes, say)


def _run_part(
    task: Task, source: str, calls: Sequence[Call], runner: Runner, limits: Limits, started: float,
    cancel: threading.Event | None,
) -> RunResult:
    """Run ``calls`` (one grade's visible or hidden calls) in a sandbox run of their own, within what is left of
    the grade's total time; a failure of the grader itself is an internal_error, never an exception."""
    left = limits.total_time_limit - (_clock() - started)
    try:
        run = run_calls(runner, source, calls, [f.name for f in task.functions], within(limits, left), _shapes(task),
                        cancel)
    except RunCancelled:
        raise
    except Exception as e:  # the grader's own failure (the sandbox could not start...): say so, never crash
        return RunResult(
            calls=[], fatal_verdict=Verdict.INTERNAL_ERROR,
            fatal_message=f"the grader failed, not your code: {type(e).__name__}: {e}",
        )
    if run.fatal_verdict is None and len(run.calls) != len(calls):  # a runner broke its contract: judge nothing
        return RunResult(
            calls=[], fatal_verdict=Verdict.INTERNAL_ERROR, isolation=run.isolation,
            fatal_message=f"the grader failed, not your code: {len(run.calls)} results for {len(calls)} calls",
        )
    return _run_other_functions(task, source, run, runner, limits, started, cancel)


def _with_hidden(
    task: Task, source: str, visible: RunResult, calls: Sequence[Call], runner: Runner, limits: Limits,
    started: float, cancel: threading.Event | None, reveal: bool,
) -> RunResult:
    """``visible`` followed by the results of the hidden ``calls``, run in a child of their own: nothing of theirs
    that the candidate's code controls (output, error texts, claimed times) is kept unless ``reveal``."""
    if limits.total_time_limit - (_clock() - started) < MIN_RUN_SECONDS:
        message = f"{NOT_RUN}the visible examples used up the total time limit of {limits.total_time_limit:g} s"
        not_run = hidden.failed_calls(calls, Verdict.TIME_LIMIT_EXCEEDED, message)
        return RunResult(calls=visible.calls + not_run, stdout=visible.stdout, isolation=visible.isolation)
    run = _run_part(task, source, calls, runner, limits, started, cancel)
    results = run.calls
    if run.fatal_verdict is not None:  # the file failed in this child only (at import): each hidden call failed
        results = hidden.failed_calls(calls, run.fatal_verdict, run.fatal_message)
    if not reveal:
        results = [hidden.conceal(r, limits) for r in results]
    ran = run.fatal_verdict is not Verdict.INTERNAL_ERROR  # else no child ran: it has no isolation to report
    return RunResult(calls=visible.calls + results, stdout=hidden.output(visible.stdout, run.stdout, reveal),
                     isolation=visible.isolation.and_(run.isolation) if ran else visible.isolation)


def _run_other_functions(
    task: Task, source: str, run: RunResult, runner: Runner, limits: Limits, started: float,
    cancel: threading.Event | None,
) -> RunResult:
    """Run again the calls a runner gave up on, of functions that did not fail themselves, within what is left of
    the total time: a function that hangs costs only its own cases, whatever the order of the cases."""
    for _ in task.functions:  # each pass gives up on at least one more function
        if run.fatal_verdict is not None:
            return run
        failed = {r.call.function for r in run.calls if r.error_verdict and not (r.error or "").startswith(NOT_RUN)}
        todo = [i for i, r in enumerate(run.calls)
                if (r.error or "").startswith(NOT_RUN) and r.call.function not in failed]
        left = limits.total_time_limit - (_clock() - started)
        if not todo or left < MIN_RUN_SECONDS:
            return run
        try:
            again = run_calls(runner, source, [run.calls[i].call for i in todo], [f.name for f in task.functions],
                              within(limits, left), _shapes(task), cancel)
        except RunCancelled:
            raise
        except Exception:  # the first run's results stand
            return run
        if again.fatal_verdict is not None or len(again.calls) != len(todo):
            return run
        merged = list(run.calls)
        for i, result in zip(todo, again.calls, strict=True):
            merged[i] = result
        run = RunResult(calls=merged, stdout=run.stdout, isolation=run.isolation)
    return run


def file_time_budget(limits: Limits) -> float:
    """Wall seconds one file may take over all its tasks: ``FILE_TIME_FACTOR`` x the total time limit (60 s with
    the default limits), however many tasks it is graded on."""
    return FILE_TIME_FACTOR * limits.total_time_limit


def grade_file(
    source: str,
    task_ids: Sequence[str],
    limits: Limits | None = None,
    *,
    runner: Runner | None = None,
    reveal_hidden: bool = False,
    seed: int | None = None,
) -> list[GradeReport]:
    """Grade one file on several tasks, with one hidden-case seed and within :func:`file_time_budget`.

    Each task gets its usual limits while the file's budget lasts, then what is left of it; a task reached once the
    budget is used up is not run and gets ``time_limit_exceeded`` on every case. Same ``seed``, same cases.
    """
    limits = limits or Limits()
    hidden_seed = new_seed() if seed is None else check_seed(seed)
    budget = file_time_budget(limits)
    deadline = _clock() + budget
    reports: list[GradeReport] = []
    for task_id in task_ids:
        left = deadline - _clock()
        if left < MIN_RUN_SECONDS:
            reports.append(_not_run(task_id, hidden_seed, budget))
            continue
        task_limits = within(limits, left)
        reports.append(
            grade(source, task_id, task_limits, runner=runner, reveal_hidden=reveal_hidden, seed=hidden_seed)
        )
    return reports


def _not_run(task_id: str, seed: int, budget: float) -> GradeReport:
    """The report of a task a file's time budget did not reach."""
    task = get_task(task_id)
    message = f"not run: this file's time budget of {budget:g} s for all its tasks was used up"
    run = RunResult(calls=[], fatal_verdict=Verdict.TIME_LIMIT_EXCEEDED, fatal_message=message)
    report = _failed_whole(task, task.cases(seed), run)
    report.seed = seed
    return report


def _failed_whole(task: Task, cases: Sequence[Case], run: RunResult) -> GradeReport:
    """The report of a run that failed as a whole (``run.fatal_verdict``): every case gets that verdict."""
    total_weight = sum(c.weight for c in cases) or 1.0
    verdict = run.fatal_verdict or Verdict.INTERNAL_ERROR
    cases_failed = [
        CaseResult(
            name=c.name,
            visible=c.visible,
            verdict=verdict,
            score=0.0,
            max_score=MAX_SCORE * c.weight / total_weight,
            message=run.fatal_message,
            description=c.description,
        )
        for c in cases
    ]
    removal = numpy2.explain(run.fatal_message or "")
    return GradeReport(
        task=task.id, verdict=verdict, score=0.0, max_score=MAX_SCORE, message=run.fatal_message,
        cases=cases_failed, stdout=run.stdout, isolation=run.isolation, diagnoses=[removal] if removal else [],
    )


def _assemble(
    task: Task,
    cases: Sequence[Case],
    run: RunResult,
    runner: Runner,
    limits: Limits,
    source: str,
    reveal_hidden: bool,
    deadline: float,
    cancel: threading.Event | None,
) -> GradeReport:
    if run.fatal_verdict is not None:
        return _failed_whole(task, cases, run)
    report = GradeReport(
        task=task.id,
        verdict=Verdict.PASSED,
        score=0.0,
        max_score=MAX_SCORE,
        stdout=run.stdout,
        isolation=run.isolation,
    )
    total_weight = sum(c.weight for c in cases) or 1.0
    index = 0
    by_case: list[tuple[Case, list[CallResult]]] = []
    for case in cases:
        n = len(case.calls)
        by_case.append((case, run.calls[index : index + n]))
        index += n
    for case, results in by_case:
        report.cases.append(judge_case(task, case, results, MAX_SCORE * case.weight / total_weight, reveal_hidden))
    report.score = round(sum(c.score for c in report.cases), 6)
    failing = [c for c in report.cases if c.verdict is not Verdict.PASSED]
    if not failing:
        report.message = f"all {len(report.cases)} cases passed"
        return report
    report.verdict = min((c.verdict for c in failing), key=VERDICT_SEVERITY.index)
    report.message = f"{len(failing)} of {len(report.cases)} cases failed"
    for c in failing:
        for d in c.diagnoses:
            if d not in report.diagnoses:
                report.diagnoses.append(d)
    if any(c.verdict is Verdict.WRONG_ANSWER for c in failing):
        _cross_check(task, by_case, report, runner, limits, source, deadline, cancel)
    return report


def _cross_check(
    task: Task,
    by_case: Sequence[tuple[Case, list[CallResult]]],
    report: GradeReport,
    runner: Runner,
    limits: Limits,
    source: str,
    deadline: float,
    cancel: threading.Event | None,
) -> None:
    """Add the forward/backward consistency diagnosis for each gradient link with a failing call.

    The probe runs get only the time left before ``deadline`` (the grade's total time limit): a slow wrong file
    cannot double its time by failing.
    """
    rng = np.random.default_rng(12345)
    for link in task.links:
        forward_ok = True
        backward_ok = True
        backward: CallResult | None = None
        for case, results in by_case:
            for r in results:
                if r.error_verdict is not None:
                    continue
                judged = judge_call(task, r, case)
                # The cross-check is about values: an in-place modification is reported on its own.
                values_ok = bool(judged.checks) and all(c.ok for c in judged.checks)
                if link.forward == link.backward and r.call.function == link.forward:
                    spec = task.function(link.forward)
                    loss_name = spec.outputs[link.forward_output or 0]
                    forward_ok &= all(c.ok for c in judged.checks if c.name == loss_name)
                    grad_ok = all(c.ok for c in judged.checks if c.name != loss_name)
                    backward_ok &= grad_ok
                    if not grad_ok and backward is None:
                        backward = r
                elif r.call.function == link.forward:
                    forward_ok &= values_ok
                elif r.call.function == link.backward:
                    backward_ok &= values_ok
                    if backward is None and not values_ok:
                        backward = r
        if forward_ok and backward_ok:
            continue
        if backward is None:
            backward = next(
                (r for _, rs in by_case for r in rs if r.call.function == link.backward and r.error_verdict is None),
                None,
            )
        if backward is None:
            continue
        planned = crosscheck.plan(task, link, backward, rng)
        if planned is None:
            continue
        calls, probes = planned
        left = deadline - _clock()
        if left < MIN_RUN_SECONDS:
            return
        probe_run = run_calls(
            runner, source, calls, [f.name for f in task.functions], within(limits, left), _shapes(task), cancel
        )
        if probe_run.fatal_verdict is not None or len(probe_run.calls) != len(calls):
            continue
        agree = crosscheck.numeric(task, link, backward, probe_run.calls, probes)
        if agree is None:
            continue
        text = crosscheck.sentence(link, forward_ok, backward_ok, agree)
        if text and text not in report.diagnoses:
            report.diagnoses.append(text)


def _shapes(task: Task) -> ExpectedShapes:
    """The reference's output shapes of a call (asked by the sandbox only for large outputs)."""

    def shapes(call: Call) -> list[tuple[int, ...] | None]:
        return [tuple(np.shape(v)) for v in task.expected_outputs(call).values()]

    return shapes


__all__ = ["FILE_TIME_FACTOR", "MAX_SCORE", "RunCancelled", "file_time_budget", "grade", "grade_file", "new_seed"]
