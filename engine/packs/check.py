"""``nnprep pack check``: is a pack sound before students meet it?

- every reference gradient agrees with float64 finite differences (``engine.packs.gradients``);
- every case generator is sound over many seeds: the reference's own outputs pass the task's judge on every case;
- each starter defines the task's functions with its signatures and is rejected; the pack's solution passes; every
  known wrong submission is rejected with a diagnosis containing the text the manifest names.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.grader import grade
from engine.judge import judge_case
from engine.packs.gradients import check_reference, from_links
from engine.packs.loader import Pack, PackTask
from engine.report import GradeReport, Verdict
from engine.runner import Runner
from engine.task import Call, CallResult, Case, Ref, Task, materialise

DEFAULT_SEEDS = 50


@dataclass
class Finding:
    """One thing checked: which task, what, and whether it held (``message`` says why not)."""

    task: str
    check: str
    ok: bool
    message: str = ""


def check_pack(
    pack: Pack, starters: Mapping[str, str], *, seeds: int = DEFAULT_SEEDS, runner: Runner | None = None
) -> list[Finding]:
    """Every check of every task of ``pack`` (``use_pack`` must have been called); ``starters`` by local task id."""
    findings: list[Finding] = []
    for pt in pack.tasks:
        findings.extend(check_task(pt, starters.get(pt.entry.id), seeds=seeds, runner=runner))
    return findings


def check_task(pt: PackTask, starter: str | None, *, seeds: int, runner: Runner | None) -> list[Finding]:
    task = pt.task
    out = [_gradients(pt), _generators(task, seeds)]
    solution = _grade(pt.solution_path.read_text(encoding="utf-8"), task, runner)
    out.append(Finding(task.id, "solution passes", solution.verdict is Verdict.PASSED,
                       "" if solution.verdict is Verdict.PASSED else _why(solution)))
    if starter is not None:
        out.append(_starter_signatures(task, starter))
        report = _grade(starter, task, runner)
        out.append(Finding(task.id, "starter rejected", report.verdict is not Verdict.PASSED,
                           "" if report.verdict is not Verdict.PASSED else "the starter passes every case"))
    for path, expected in pt.wrong:
        report = _grade(path.read_text(encoding="utf-8"), task, runner)
        said = [*report.diagnoses, *(d for c in report.cases for d in c.diagnoses)]
        if report.verdict is Verdict.PASSED:
            out.append(Finding(task.id, f"{path.name} rejected", False, "it passes every case"))
        elif not any(expected.lower() in d.lower() for d in said):
            got = said[0] if said else f"no diagnosis ({report.verdict.value})"
            out.append(Finding(task.id, f"{path.name} rejected", False, f"expected {expected!r}, got: {got}"))
        else:
            out.append(Finding(task.id, f"{path.name} rejected", True))
    return out


def _starter_signatures(task: Task, starter: str) -> Finding:
    """The starter defines every function of the task with the task's parameters, in order."""
    try:
        tree = ast.parse(starter)
    except SyntaxError as e:
        return Finding(task.id, "starter signatures", False, f"the starter does not parse: line {e.lineno}: {e.msg}")
    defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for spec in task.functions:
        node = defined.get(spec.name)
        if node is None:
            return Finding(task.id, "starter signatures", False, f"the starter does not define {spec.name}")
        names = [a.arg for a in node.args.args]
        if names != [p.name for p in spec.params]:
            return Finding(task.id, "starter signatures", False,
                           f"the starter's {spec.name}({', '.join(names)}) is not {spec.signature}")
    return Finding(task.id, "starter signatures", True)


def _grade(source: str, task: Task, runner: Runner | None) -> GradeReport:
    with np.errstate(all="ignore"):  # a wrong submission's NaNs reach the cross-check: no warning on the terminal
        return grade(source, task.id, runner=runner, seed=0)


def _why(report: GradeReport) -> str:
    failing = next((c for c in report.cases if c.verdict is not Verdict.PASSED), None)
    detail = f" (case {failing.name}: {failing.message})" if failing else ""
    return f"{report.verdict.value}: {report.message}{detail}"


def _gradients(pt: PackTask) -> Finding:
    probes = [p for case in pt.task.cases() for p in from_links(pt.task, case)]
    if pt.gradient_checks is not None:
        try:
            probes.extend(pt.gradient_checks(np.random.default_rng(0)))
        except Exception as e:
            return Finding(pt.task.id, "reference gradients", False, f"GRADIENT_CHECKS failed: {e!r}")
    problems = [p for p in (check_reference(probe) for probe in probes) if p]
    if not probes and not pt.task.links:
        return Finding(pt.task.id, "reference gradients", True, "no gradients to check")
    return Finding(pt.task.id, "reference gradients", not problems,
                   problems[0] if problems else f"{len(probes)} checked")


def _generators(task: Task, seeds: int) -> Finding:
    """The reference's own outputs pass every case drawn from ``seeds`` different seeds."""
    rng = np.random.default_rng(2024)
    if not any(c.visible for c in task.cases()):
        return Finding(task.id, "case generator sound", False, "the task has no visible example")
    for seed in [int(s) for s in rng.integers(0, 2**53, size=seeds)]:
        try:
            cases = task.cases(seed)
            for case in cases:
                results = reference_results(task, case)
                if (bad := _non_finite(results)) is not None:
                    return Finding(task.id, "case generator sound", False,
                                   f"seed {seed}, case {case.name}: finite inputs, but the reference's {bad}")
                result = judge_case(task, case, results, 1.0)
                if result.verdict is not Verdict.PASSED:
                    return Finding(task.id, "case generator sound", False,
                                   f"seed {seed}, case {case.name}: the reference itself fails: {result.message}")
        except Exception as e:
            return Finding(task.id, "case generator sound", False, f"seed {seed}: {type(e).__name__}: {e}")
    return Finding(task.id, "case generator sound", True, f"{seeds} seeds")


def _arrays(value: object) -> list[np.ndarray]:
    if isinstance(value, tuple):
        return [a for v in value for a in _arrays(v)]
    return [value] if isinstance(value, np.ndarray) else []


def _non_finite(results: Sequence[CallResult]) -> str | None:
    """Which call's reference output is NaN or infinite although every float input of the call is finite."""
    for r in results:
        given = [a for v in r.call.args.values() for a in _arrays(v) if a.dtype.kind == "f"]
        if not all(np.all(np.isfinite(a)) for a in given):
            continue
        if any(a.dtype.kind == "f" and not np.all(np.isfinite(a)) for a in _arrays(r.value)):
            return f"{r.call.label} returns NaN or inf"
    return None


def reference_results(task: Task, case: Case) -> list[CallResult]:
    """What a submission identical to the reference returns for each call of ``case``."""
    if case.uses_objects:
        task.register(case)
        outputs: Sequence[dict[str, np.ndarray] | None] = task.replay(case)
        return [_result(call, out, task) for call, out in zip(case.calls, outputs, strict=True)]
    results = []
    for call in case.calls:
        raw = task.reference[call.function](**{k: materialise(v) for k, v in call.args.items()})
        results.append(CallResult(call=call, value=_plain(raw)))
    return results


def _result(call: Call, out: dict[str, np.ndarray] | None, task: Task) -> CallResult:
    if out is None:
        return CallResult(call=call, value=Ref(call.store_as or "kept"))
    names = task.spec_for(call).outputs
    values = tuple(Ref(call.keep[i]) if i in call.keep else out[name] for i, name in enumerate(names))
    return CallResult(call=call, value=values[0] if len(values) == 1 else values)


def _plain(raw: object) -> object:
    if isinstance(raw, tuple):
        return tuple(_plain(v) for v in raw)
    return np.asarray(raw) if isinstance(raw, np.ndarray | np.generic | float | int) else raw
