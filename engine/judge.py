"""Judging: turn what a submission returned for a case into a verdict with named mistakes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from engine import diagnose, numpy2
from engine.compare import compare, revealing
from engine.report import CaseResult, OutputCheck, Verdict
from engine.task import Call, CallResult, Case, DiagnosisContext, FunctionSpec, Judgement, Ref, Task


def split_outputs(spec: FunctionSpec, value: object) -> tuple[dict[str, np.ndarray | None], str | None]:
    """Name the parts of a return value after ``spec.outputs``; an error message if its structure is wrong."""
    n = len(spec.outputs)
    if n == 1:
        values: Sequence[object] = (value,)
    else:
        if not isinstance(value, tuple | list) or len(value) != n:
            what = f"a {len(value)}-tuple" if isinstance(value, tuple | list) else type(value).__name__
            return {}, f"{spec.name} must return a tuple ({', '.join(spec.outputs)}); got {what}"
        values = value
    named: dict[str, np.ndarray | None] = {}
    for name, v in zip(spec.outputs, values, strict=True):
        if isinstance(v, Ref):  # an item kept in the sandbox (a cache): the parent made this, nothing to compare
            continue
        if v is None:
            named[name] = None
        elif isinstance(v, np.ndarray):
            named[name] = v
        elif isinstance(v, bool | int | float):
            named[name] = np.asarray(v)
        else:
            return {}, f"{spec.name}: {name} is a {type(v).__name__}, expected an array or a number"
    return named, None


def describe_inputs(call: Call, case: Case | None = None) -> dict[str, str]:
    """A short readable summary of a call's arguments: shapes for arrays, values for scalars. For a case that keeps
    objects, its script instead: its calls as Python statements on one line (``w = v * v; w.backward(); v.grad``)."""
    if case is not None and case.uses_objects:
        return {"calls": "; ".join(c.text() for c in case.calls)}
    out: dict[str, str] = {}
    for name, v in call.args.items():
        if isinstance(v, np.ndarray):
            out[name] = f"{v.dtype} array of shape {tuple(v.shape)}"
        else:
            out[name] = repr(v)
    return out


def judge_call(
    task: Task, result: CallResult, case: Case | None = None, case_results: Sequence[CallResult] = ()
) -> Judgement:
    """Compare one call's outputs with the reference and run the task's detectors on failures.

    A call that keeps its result in the sandbox (``store_as``) has nothing to compare: it passes if it did not fail
    (failures are judged before this). ``case`` and ``case_results`` (every call's result in that case) are for the
    detectors of object cases."""
    if result.call.store_as is not None:
        return Judgement(ok=True)
    spec = task.spec_for(result.call)
    got, problem = split_outputs(spec, result.value)
    if problem:
        return Judgement(ok=False, message=problem, invalid=True)
    expected = task.expected_outputs(result.call)
    compared = [name for i, name in enumerate(spec.outputs) if i not in result.call.keep]
    checks: list[OutputCheck] = [compare(name, expected[name], got.get(name), task.tolerance) for name in compared]
    diagnoses: list[str] = []
    if result.mutated:
        diagnoses.append(
            f"{spec.name} modified its input {', '.join(result.mutated)} in place; functions must not change"
            " their inputs (work on a copy)"
        )
    if not all(c.ok for c in checks):
        ctx = DiagnosisContext(task=task, call=result.call, got=got, expected=expected, result=result, case=case,
                               case_results=case_results)
        for detector in task.detectors.get(spec.name, ()):
            try:
                found = detector(ctx)
            except Exception:  # a detector must never break grading; a failing one simply says nothing
                found = None
            if found and found not in diagnoses:
                diagnoses.append(found)
        for name in compared:
            kept = diagnose.kept_axes(name, got.get(name), expected[name])
            if kept and not any("keepdims" in d for d in diagnoses):
                diagnoses.append(kept)
    ok = all(c.ok for c in checks) and not result.mutated
    message = "; ".join(c.message for c in checks if not c.ok)
    return Judgement(ok=ok, checks=checks, diagnoses=diagnoses, message=message)


def judge_case(
    task: Task, case: Case, results: Sequence[CallResult], points: float, reveal_hidden: bool = False
) -> CaseResult:
    """The verdict of one case from its calls' results; ``points`` is what the case is worth.

    A visible example's result shows everything: its inputs, the worst elements, heatmap previews. A hidden case's
    shows its verdict, which output failed and how (shape, dtype, relative error, diagnoses) but none of its inputs
    or expected values, unless ``reveal_hidden`` (a grading policy's choice).
    """
    reveal = case.visible or reveal_hidden
    with revealing(reveal):
        return _judge_case(task, case, results, points, reveal)


def _judge_case(task: Task, case: Case, results: Sequence[CallResult], points: float, reveal: bool) -> CaseResult:
    seconds = sum(r.seconds for r in results)
    base = CaseResult(
        name=case.name,
        visible=case.visible,
        verdict=Verdict.PASSED,
        score=0.0,
        max_score=points,
        seconds=seconds,
        description=case.description,
        inputs=describe_inputs(case.calls[0], case) if reveal else None,
    )
    for r in results:
        if r.error_verdict is not None:
            base.verdict = Verdict(r.error_verdict)
            base.message = f"{r.call.function}: {r.error}" if r.error else r.call.function
            removal = numpy2.explain(r.error or "")
            if removal:
                base.diagnoses.append(removal)
            return base
    judgement = task.custom_judge(case, results) if task.custom_judge else _judge_calls(task, case, results)
    base.outputs = list(judgement.checks)
    base.diagnoses = list(judgement.diagnoses)
    errors = [c.rel_error for c in base.outputs if c.rel_error is not None]
    unmeasured = any(c.rel_error is None and not c.ok for c in base.outputs)  # wrong shape, dtype, or no value
    base.rel_error = max(errors) if errors and not unmeasured else None
    if judgement.ok:
        base.score = points
        return base
    base.verdict = Verdict.INVALID_OUTPUT if judgement.invalid else Verdict.WRONG_ANSWER
    base.message = judgement.message
    return base


def _judge_calls(task: Task, case: Case, results: Sequence[CallResult]) -> Judgement:
    task.register(case)
    return combine(judge_call(task, r, case, results) for r in results)


def combine(judgements: Iterable[Judgement]) -> Judgement:
    """One case's judgement from its calls' judgements: ok when all are, every check, each diagnosis once, the
    messages joined."""
    total = Judgement(ok=True)
    messages: list[str] = []
    for j in judgements:
        total.ok = total.ok and j.ok
        total.invalid = total.invalid or j.invalid
        total.checks.extend(j.checks)
        total.diagnoses.extend(d for d in j.diagnoses if d not in total.diagnoses)
        if j.message:
            messages.append(j.message)
    total.message = "; ".join(messages)
    return total
