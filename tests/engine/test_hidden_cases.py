"""Hidden means hidden: hidden cases come from a fresh secret seed at every grade, their results carry no inputs or
expected values (unless a policy reveals them), and the seed re-grades identically."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import TASK_IDS, Verdict, get_task, grade
from engine.report import GradeReport, report_data
from engine.task import Call, Case, RngSeed
from quiz.batch import formats
from quiz.batch.results import CandidateResult
from tests.engine.tasks.support import graded, same, submissions
from tests.support.inprocess import InProcessRunner

SUBMISSIONS = Path(__file__).resolve().parents[1] / "submissions"
# Hidden cases that are the same for every seed (one query and one key: there is nothing to draw). Every other
# hidden case changes with the seed.
FIXED_HIDDEN = {"causal_mask": {"single"}}
# Tasks whose reference outputs are one random draw among many right ones (judged by statistics, not values).
DRAWN = {"dropout", "he_normal", "xavier_uniform", "train_mlp"}


def _without_times(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_times(v) for k, v in data.items() if k != "seconds"}
    if isinstance(data, list):
        return [_without_times(v) for v in data]
    return data


def _same_call(a: Call, b: Call) -> bool:
    if a.function != b.function or a.args.keys() != b.args.keys():
        return False
    return all(same(a.args[k], b.args[k]) for k in a.args)


def _same_case(a: Case, b: Case) -> bool:
    return len(a.calls) == len(b.calls) and all(_same_call(x, y) for x, y in zip(a.calls, b.calls, strict=True))


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_hidden_cases_change_with_the_seed_and_visible_examples_do_not(task_id: str) -> None:
    task = get_task(task_id)
    first, others = task.cases(101), [task.cases(seed) for seed in (202, 303, 404, 505)]
    assert all(_same_case(a, b) for a, b in zip(first, task.cases(101), strict=True))
    mine = {c.name: c for c in first}
    unchanged = {c.name for c in first if not c.visible}
    for second in others:
        assert [c.name for c in first if c.visible] == [c.name for c in second if c.visible]
        assert all(_same_case(a, b) for a, b in zip(first, second, strict=False) if a.visible)
        by_name = {c.name: c for c in second}
        unchanged = {n for n in unchanged if n in by_name and _same_case(mine[n], by_name[n])}
    assert unchanged <= FIXED_HIDDEN.get(task_id, set())


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_hidden_descriptions_name_no_drawn_value(task_id: str) -> None:
    """A hidden case's description says what kind of case it is; it is the same for every seed (so it cannot carry
    a drawn size or value)."""
    task = get_task(task_id)
    first = {c.name: c.description for c in task.cases(101)}
    for seed in (202, 303):
        assert {c.name: c.description for c in task.cases(seed)} == first


def _draw_seeds(cases: list[Case]) -> set[int]:
    """The generator seeds handed to the candidate's code by hidden calls (RngSeed arguments, train_mlp's seed)."""
    found: set[int] = set()
    for case in cases:
        for call in case.calls if not case.visible else ():
            for name, value in call.args.items():
                if isinstance(value, RngSeed):
                    found.add(value.seed)
                elif name == "seed" and isinstance(value, int):
                    found.add(value)
    return found


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_the_draws_of_stochastic_tasks_change_with_the_seed(task_id: str) -> None:
    """A task judged by statistics over the candidate's own random draws must vary those draws' seeds, or its stated
    false-failure bound would not hold per grade (a correct submission would pass or fail the same way forever)."""
    task = get_task(task_id)
    first, second = _draw_seeds(task.cases(101)), _draw_seeds(task.cases(202))
    assert not first & second, (task_id, first & second)


def test_every_grade_draws_a_fresh_seed(inprocess: InProcessRunner) -> None:
    source = (SUBMISSIONS / "linear" / "correct_reference.py").read_text()
    seeds = {grade(source, "linear", runner=inprocess).seed for _ in range(5)}
    assert len(seeds) == 5 and all(isinstance(s, int) and 0 <= s < 2**53 for s in seeds)
    assert grade(source, "linear", runner=inprocess, visible_only=True).seed is None


@pytest.mark.parametrize("path", submissions("conv2d", "wrong")[:3], ids=lambda p: p.stem)
def test_the_same_seed_regrades_identically(path: Path, inprocess: InProcessRunner) -> None:
    source = path.read_text()
    first = grade(source, "conv2d", runner=inprocess)
    again = grade(source, "conv2d", runner=inprocess, seed=first.seed)
    assert again.seed == first.seed
    assert _without_times(report_data(again)) == _without_times(report_data(first))
    other = grade(source, "conv2d", runner=inprocess, seed=(first.seed or 0) + 1)
    assert _without_times(report_data(other)) != _without_times(report_data(first)) or first.passed


def test_a_bad_seed_is_refused(inprocess: InProcessRunner) -> None:
    source = (SUBMISSIONS / "linear" / "correct_reference.py").read_text()
    for seed in (-1, 2**63, 1.5, True):
        with pytest.raises(ValueError, match="seed"):
            grade(source, "linear", runner=inprocess, seed=seed)  # type: ignore[arg-type]


def _numbers_of(values: dict[str, np.ndarray]) -> set[str]:
    """How a message would write the (non-trivial) elements of expected outputs."""
    found: set[str] = set()
    for v in values.values():
        for x in np.ravel(np.asarray(v, dtype=np.float64))[:2000]:
            if np.isfinite(x) and abs(x - round(x)) > 1e-3:
                found.update({f"{x:.6g}", repr(float(x))})
    return found


def _assert_hidden_case_shows_no_values(task_id: str, report: GradeReport, seed: int) -> None:
    task = get_task(task_id)
    cases = {c.name: c for c in task.cases(seed)}
    for case in report.cases:
        if case.visible:
            continue
        assert case.inputs is None, (task_id, case.name)
        for out in case.outputs:
            assert out.worst == [] and out.expected_preview is None and out.got_preview is None, (task_id, case.name)
        texts = " ".join([case.message, *case.diagnoses, *(o.message for o in case.outputs)])
        for call in [] if task_id in DRAWN else cases[case.name].calls:
            try:
                expected = task.expected_outputs(call)
            except Exception:  # a reference that refuses the call (the case checks the candidate raises too)
                continue
            leaked = [n for n in _numbers_of(expected) if re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", texts)]
            assert not leaked, (task_id, case.name, leaked, texts)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_no_hidden_case_of_a_wrong_submission_shows_values(task_id: str, inprocess: InProcessRunner) -> None:
    """The known wrong submissions fail in every way there is; none of their hidden cases' results carries an input
    summary, a worst element, a heatmap preview, or an expected value in a message."""
    for path in submissions(task_id, "wrong"):
        report = graded(task_id).reports[path]
        assert report.seed is not None
        _assert_hidden_case_shows_no_values(task_id, report, report.seed)


def test_a_policy_may_reveal_hidden_cases(inprocess: InProcessRunner) -> None:
    source = (SUBMISSIONS / "linear" / "wrong_upstream_ignored.py").read_text()
    shown = grade(source, "linear", runner=inprocess, reveal_hidden=True)
    hidden_failing = [c for c in shown.cases if not c.visible and c.verdict is Verdict.WRONG_ANSWER]
    assert hidden_failing and all(c.inputs for c in hidden_failing)
    assert any(o.worst and o.expected_preview for c in hidden_failing for o in c.outputs)
    assert any("expected" in c.message and "worst at" in c.message for c in hidden_failing)
    kept = grade(source, "linear", runner=inprocess, seed=shown.seed)
    assert all(c.inputs is None and "worst at" not in c.message for c in kept.cases if not c.visible)
    visible = [c for c in kept.cases if c.visible and c.verdict is Verdict.WRONG_ANSWER]
    assert visible and all(c.inputs and any(o.worst for o in c.outputs) for c in visible)


def _replaying_source(task_id: str, seed: int) -> str:
    """A submission that computes nothing: it looks its inputs up in the outputs of the cases of ``seed``."""
    task = get_task(task_id)
    table: dict[str, dict[str, list[Any]]] = {}
    for case in task.cases(seed):
        for call in case.calls:
            key = "|".join(np.asarray(call.args[p.name]).tobytes().hex() for p in task.function(call.function).params)
            table.setdefault(call.function, {})[key] = [
                (list(v.shape), v.ravel().tolist()) for v in task.expected_outputs(call).values()
            ]
    functions = []
    for spec in task.functions:
        names = [p.name for p in spec.params]
        unknown = "np.zeros(1)" if len(spec.outputs) == 1 else f"({', '.join(['np.zeros(1)'] * len(spec.outputs))})"
        functions.append(
            f"def {spec.name}({', '.join(names)}):\n"
            f"    key = '|'.join(np.asarray(a).tobytes().hex() for a in ({', '.join(names)},))\n"
            f"    found = TABLE[{spec.name!r}].get(key)\n"
            "    if found is None:\n"
            f"        return {unknown}\n"
            "    outs = [np.array(v).reshape(s) for s, v in found]\n"
            "    return outs[0] if len(outs) == 1 else tuple(outs)\n"
        )
    return f"import numpy as np\nTABLE = {json.dumps(table)}\n\n" + "\n".join(functions)


def test_replaying_one_grades_outputs_fails_the_next_grade(inprocess: InProcessRunner) -> None:
    """The attack the fixed seeds allowed: a file that replays the outputs of one grade's cases. With that grade's
    seed it passes (the replay works); any fresh grade draws other hidden cases and fails them."""
    source = _replaying_source("linear", 77)
    assert grade(source, "linear", runner=inprocess, seed=77).passed
    fresh = grade(source, "linear", runner=inprocess)
    assert fresh.verdict is not Verdict.PASSED
    assert all(c.verdict is Verdict.PASSED for c in fresh.cases if c.visible)
    assert all(c.verdict is not Verdict.PASSED for c in fresh.cases if not c.visible)


def test_candidate_facing_formats_leave_the_seed_out(inprocess: InProcessRunner) -> None:
    source = (SUBMISSIONS / "linear" / "wrong_transposed_dw.py").read_text()
    report = grade(source, "linear", runner=inprocess, seed=987654321987)
    result = CandidateResult(candidate="ada", path="ada.py", reports=[report], weights={"linear": 1.0})
    for text in (formats.to_gradescope(result), formats.to_markdown(result), formats.to_junit([result]),
                 formats.to_csv([result])):
        assert "987654321987" not in text
    for text in (formats.to_json([result]), formats.to_jsonl([result])):  # the instructor's outputs keep it
        assert "987654321987" in text
