"""Result formats of a batch: text summary, JSON, JSON lines, CSV, JUnit XML, Gradescope results.json, Markdown."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from engine import GradeReport
from engine.report import report_data
from engine.untrusted_text import for_csv, for_markdown, for_terminal, for_terminal_line, for_xml
from quiz.batch.results import CandidateResult

FORMATS = ("text", "json", "jsonl", "csv", "junit", "gradescope")


def task_columns(results: Sequence[CandidateResult]) -> list[str]:
    """Every task graded in the batch, in first-seen order."""
    seen: dict[str, None] = {}
    for r in results:
        for report in r.reports:
            seen.setdefault(report.task, None)
    return list(seen)


def to_csv(results: Sequence[CandidateResult]) -> str:
    """One row per candidate: id, per-task score and verdict, total, passed, the rule that decided it, seconds,
    error."""
    tasks = task_columns(results)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["candidate"]
    for t in tasks:
        header += [f"{t}_score", f"{t}_verdict"]
    writer.writerow([*header, "total", "passed", "passed_by", "seconds", "error"])
    for r in results:
        by_task = {rep.task: rep for rep in r.reports}
        row: list[object] = [for_csv(r.candidate)]
        for t in tasks:
            rep = by_task.get(t)
            row += [f"{rep.score:.2f}", rep.verdict.value] if rep else ["", ""]
        passed = ["yes" if r.passed else "no", r.passed_by or ("error" if r.error else "")]
        row += [f"{r.total:.2f}", *passed, f"{r.seconds:.2f}", for_csv(r.error or "")]
        writer.writerow(row)
    return out.getvalue()


def to_jsonl(results: Sequence[CandidateResult]) -> str:
    """One line per candidate and task: the GradeReport with the candidate's id (errors: one line each)."""
    lines = []
    for r in results:
        if r.error:
            lines.append(json.dumps({"candidate": r.candidate, "error": r.error}))
        for report in r.reports:
            lines.append(json.dumps({"candidate": r.candidate, **report_data(report)}))
    return "".join(line + "\n" for line in lines)


def to_json(results: Sequence[CandidateResult]) -> str:
    return json.dumps({"candidates": [json.loads(r.model_dump_json()) for r in results]}, indent=2) + "\n"


def _case_text(report: GradeReport, case_index: int) -> str:
    case = report.cases[case_index]
    parts = [case.message] if case.message else []
    parts += case.diagnoses
    return "\n".join(parts)


def to_junit(results: Sequence[CandidateResult]) -> str:
    """JUnit XML: a testsuite per candidate, a testcase per task case; failures carry the diagnosis. Every text
    and attribute passes ``for_xml``, so no candidate can make the file not well-formed."""
    root = ET.Element("testsuites", name="nnprep")
    for r in results:
        cases = [(rep, i) for rep in r.reports for i in range(len(rep.cases))]
        failures = sum(1 for rep, i in cases if rep.cases[i].verdict.value == "wrong_answer")
        errors = sum(1 for rep, i in cases if rep.cases[i].verdict.value not in ("passed", "wrong_answer"))
        if r.error:
            errors += 1
        suite = ET.SubElement(
            root,
            "testsuite",
            name=for_xml(r.candidate),
            tests=str(len(cases) + (1 if r.error else 0)),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{r.seconds:.3f}",
        )
        if r.error:
            tc = ET.SubElement(
                suite, "testcase", classname=for_xml(r.candidate), name="submission", time=f"{r.seconds:.6f}"
            )
            ET.SubElement(tc, "error", message=for_xml(r.error), type="submission_error").text = for_xml(r.error)
        for rep, i in cases:
            case = rep.cases[i]
            tc = ET.SubElement(
                suite,
                "testcase",
                classname=for_xml(f"{r.candidate}.{rep.task}"),
                name=for_xml(case.name),
                time=f"{case.seconds:.6f}",  # calls take microseconds: 3 decimals showed 0.000
            )
            if case.verdict.value == "passed":
                continue
            tag = "failure" if case.verdict.value == "wrong_answer" else "error"
            detail = _case_text(rep, i) or case.verdict.value
            diag = "; ".join(rep.diagnoses)
            text = detail + (f"\n\nDiagnosis: {diag}" if diag else "")
            ET.SubElement(
                tc, tag, message=for_xml(f"{case.verdict.value}: {case.message}"[:500]), type=case.verdict.value
            ).text = for_xml(text)
        if any(rep.stdout for rep in r.reports):
            ET.SubElement(suite, "system-out").text = for_xml("\n".join(rep.stdout for rep in r.reports if rep.stdout))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def to_gradescope(result: CandidateResult) -> str:
    """Gradescope's results.json for one candidate: score out of 100 and a test per task case. Outputs are declared
    plain text (Gradescope would otherwise render them as HTML or Markdown) and carry no control character."""
    tests = []
    total_weight = sum(result.weights.get(rep.task, 1.0) for rep in result.reports) or 1.0
    for rep in result.reports:
        share = result.weights.get(rep.task, 1.0) / total_weight
        for i, case in enumerate(rep.cases):
            tests.append(
                {
                    "name": f"{rep.task}: {case.name}",
                    "score": round(case.score / rep.max_score * 100 * share, 4),
                    "max_score": round(case.max_score / rep.max_score * 100 * share, 4),
                    "status": "passed" if case.verdict.value == "passed" else "failed",
                    "output": for_terminal(_case_text(rep, i) or case.verdict.value),
                    "visibility": "visible" if case.visible else "hidden",
                }
            )
    payload: dict[str, object] = {
        "score": round(result.total, 4),
        "tests": tests,
        "execution_time": round(result.seconds, 3),
        "output_format": "text",
        "test_output_format": "text",
    }
    if result.error:
        payload["output"] = for_terminal(f"Your submission could not be graded: {result.error}")
    else:
        payload["output"] = for_terminal("\n".join(d for rep in result.reports for d in rep.diagnoses))
    return json.dumps(payload, indent=2) + "\n"


def to_text(results: Sequence[CandidateResult], rule: str) -> str:
    """A short summary for a person: a line per candidate and the counts (candidate text made terminal-safe, a
    multi-line error indented under its candidate)."""
    lines = []
    ids = {r.candidate: for_terminal_line(r.candidate) for r in results}
    width = max((len(i) for i in ids.values()), default=9)
    for r in results:
        name = ids[r.candidate]
        if r.error:
            lines.append(f"{name:<{width}}  ERROR   {for_terminal(r.error, ' ' * (width + 10))}")
            continue
        verdicts = ", ".join(f"{rep.task} {rep.verdict.value} {rep.score:.0f}" for rep in r.reports)
        lines.append(f"{name:<{width}}  {r.total:6.1f}  {'pass' if r.passed else 'fail'}  {verdicts}")
    passed = sum(r.passed for r in results)
    errors = sum(bool(r.error) for r in results)
    lines.append(f"{len(results)} candidates: {passed} passed (by {rule}), {errors} could not be graded")
    lines.extend(_isolation_lines(results))
    return "\n".join(lines) + "\n"


def _isolation_lines(results: Sequence[CandidateResult]) -> list[str]:
    """The sandbox's two isolation lines (active; not active and why), from the first graded report."""
    for r in results:
        for rep in r.reports:
            return list(rep.isolation.lines())
    return []


def to_markdown(result: CandidateResult) -> str:
    """A per-candidate summary a reviewer can read or send back (candidate text escaped for Markdown)."""
    lines = [f"# {for_markdown(result.candidate)}", ""]
    if result.error:
        return "\n".join([*lines, f"Could not be graded: {for_markdown(result.error)}", ""])
    verdict = "passed" if result.passed else "not passed"
    lines += [f"Total: **{result.total:.1f} / 100** ({verdict}, by {result.passed_by or 'verdict'})", ""]
    for rep in result.reports:
        lines += [f"## {rep.task} — {rep.verdict.value}, {rep.score:.1f} / {rep.max_score:.0f}", ""]
        lines += ["| case | visible | verdict | relative error |", "|---|---|---|---|"]
        for case in rep.cases:
            err = f"{case.rel_error:.2g}" if case.rel_error is not None else ""
            lines.append(
                f"| {for_markdown(case.name)} | {'yes' if case.visible else 'no'} | {case.verdict.value} | {err} |"
            )
        if rep.diagnoses:
            lines += ["", "What went wrong:", ""] + [f"- {for_markdown(d)}" for d in rep.diagnoses]
        lines.append("")
    lines += [f"{line[0].upper()}{line[1:]}  " for line in _isolation_lines([result])]
    return "\n".join(lines)
