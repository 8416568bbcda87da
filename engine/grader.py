"""Grade a submission: run its calls in the sandbox, judge every case, cross-check gradients, score."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from engine import crosscheck
from engine.judge import judge_call, judge_case
from engine.limits import Limits
from engine.report import VERDICT_SEVERITY, CaseResult, GradeReport, Verdict
from engine.runner import Runner, RunResult
from engine.task import CallResult, Case, Task
from engine.tasks import get_task

MAX_SCORE = 100.0


def grade(
    source: str,
    task_id: str,
    limits: Limits | None = None,
    *,
    runner: Runner | None = None,
    visible_only: bool = False,
    reveal_hidden: bool = False,
) -> GradeReport:
    """Grade ``source`` (a Python file's text) against task ``task_id``.

    The candidate code runs in ``runner`` (by default the shared sandbox); the reference answers are computed here
    and never leave this process. ``visible_only`` runs just the visible examples, as "Run examples" does;
    ``reveal_hidden`` puts hidden cases' input summaries in the report too (a grading policy's choice).
    """
    started = time.perf_counter()
    task = get_task(task_id)
    limits = limits or Limits()
    if runner is None:
        from engine.sandbox import default_sandbox

        runner = default_sandbox()
    cases = [c for c in task.cases() if c.visible or not visible_only]
    calls = [call for case in cases for call in case.calls]
    try:
        run = runner.run(source, calls, [f.name for f in task.functions], limits)
    except Exception as e:  # the grader's own failure (the sandbox could not start...): say so, never crash
        run = RunResult(
            calls=[], fatal_verdict=Verdict.INTERNAL_ERROR,
            fatal_message=f"the grader failed, not your code: {type(e).__name__}: {e}",
        )
    if run.fatal_verdict is None and len(run.calls) != len(calls):  # a runner broke its contract: judge nothing
        run = RunResult(
            calls=[], fatal_verdict=Verdict.INTERNAL_ERROR, isolation=run.isolation,
            fatal_message=f"the grader failed, not your code: {len(run.calls)} results for {len(calls)} calls",
        )
    run = _run_other_functions(task, source, run, runner, limits, started)
    report = _assemble(task, cases, run, runner, limits, source, reveal_hidden)
    report.seconds = time.perf_counter() - started
    return report


NOT_RUN = "not run: "  # how a runner marks the calls it gave up on (after too many failed processes, say)


def _run_other_functions(
    task: Task, source: str, run: RunResult, runner: Runner, limits: Limits, started: float
) -> RunResult:
    """Run again the calls a runner gave up on, of functions that did not fail themselves, within what is left of
    the total time: a function that hangs costs only its own cases, whatever the order of the cases."""
    for _ in task.functions:  # each pass gives up on at least one more function
        if run.fatal_verdict is not None:
            return run
        failed = {r.call.function for r in run.calls if r.error_verdict and not (r.error or "").startswith(NOT_RUN)}
        todo = [i for i, r in enumerate(run.calls)
                if (r.error or "").startswith(NOT_RUN) and r.call.function not in failed]
        left = limits.total_time_limit - (time.perf_counter() - started)
        if not todo or left <= limits.time_limit / 10:
            return run
        try:
            again = runner.run(source, [run.calls[i].call for i in todo], [f.name for f in task.functions],
                               replace(limits, total_time_limit=left))
        except Exception:  # the first run's results stand
            return run
        if again.fatal_verdict is not None or len(again.calls) != len(todo):
            return run
        merged = list(run.calls)
        for i, result in zip(todo, again.calls, strict=True):
            merged[i] = result
        run = RunResult(calls=merged, stdout=run.stdout, isolation=run.isolation)
    return run


def _assemble(
    task: Task,
    cases: Sequence[Case],
    run: RunResult,
    runner: Runner,
    limits: Limits,
    source: str,
    reveal_hidden: bool = False,
) -> GradeReport:
    report = GradeReport(
        task=task.id,
        verdict=Verdict.PASSED,
        score=0.0,
        max_score=MAX_SCORE,
        stdout=run.stdout,
        isolation=run.isolation,
    )
    total_weight = sum(c.weight for c in cases) or 1.0
    if run.fatal_verdict is not None:
        report.verdict = run.fatal_verdict
        report.message = run.fatal_message
        report.cases = [
            CaseResult(
                name=c.name,
                visible=c.visible,
                verdict=run.fatal_verdict,
                score=0.0,
                max_score=MAX_SCORE * c.weight / total_weight,
                message=run.fatal_message,
                description=c.description,
            )
            for c in cases
        ]
        return report
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
        _cross_check(task, by_case, report, runner, limits, source)
    return report


def _cross_check(
    task: Task,
    by_case: Sequence[tuple[Case, list[CallResult]]],
    report: GradeReport,
    runner: Runner,
    limits: Limits,
    source: str,
) -> None:
    """Add the forward/backward consistency diagnosis for each gradient link with a failing call."""
    rng = np.random.default_rng(12345)
    for link in task.links:
        forward_ok = True
        backward_ok = True
        backward: CallResult | None = None
        for _case, results in by_case:
            for r in results:
                if r.error_verdict is not None:
                    continue
                judged = judge_call(task, r)
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
        probe_run = runner.run(source, calls, [f.name for f in task.functions], limits)
        if probe_run.fatal_verdict is not None or len(probe_run.calls) != len(calls):
            continue
        agree = crosscheck.numeric(task, link, backward, probe_run.calls, probes)
        if agree is None:
            continue
        text = crosscheck.sentence(link, forward_ok, backward_ok, agree)
        if text and text not in report.diagnoses:
            report.diagnoses.append(text)


__all__ = ["MAX_SCORE", "grade"]
