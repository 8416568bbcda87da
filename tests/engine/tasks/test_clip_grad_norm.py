"""Task ``clip_grad_norm``: cases, the custom judge (tuples of arrays), the mistakes it names, worked example."""

from __future__ import annotations

import math

import numpy as np

from engine.task import Call, CallResult, Case
from engine.tasks import get_task
from engine.tasks.clip_grad_norm import _mistakes, clip_grad_norm, judge
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "clip_grad_norm"


def _verdict(call: Call, value: object) -> tuple[bool, bool, list[str]]:
    j = judge(Case("probe", (call,)), [CallResult(call, value=value)])
    return j.ok, j.invalid, j.diagnoses


def _calls() -> list[Call]:
    return [c for case in get_task(TASK_ID).cases() for c in case.calls]


def test_reference_norm_is_the_norm_of_everything_concatenated() -> None:
    for call in _calls():
        grads, max_norm = call.args["grads"], call.args["max_norm"]
        clipped, total = clip_grad_norm(grads, max_norm)
        flat = np.concatenate([g.ravel() for g in grads])
        assert math.isclose(total, float(np.linalg.norm(flat)), rel_tol=1e-12)
        new = float(np.linalg.norm(np.concatenate([g.ravel() for g in clipped])))
        assert math.isclose(new, min(total, max_norm), rel_tol=1e-5)
        assert [g.shape for g in clipped] == [g.shape for g in grads]


def test_no_case_sits_where_eps_or_the_comparison_could_matter() -> None:
    for call in _calls():
        _, total = clip_grad_norm(call.args["grads"], call.args["max_norm"])
        assert total >= 0.5 - 1e-12
        assert abs(total - call.args["max_norm"]) / call.args["max_norm"] > 1e-3


def test_cases_clip_and_do_not_clip() -> None:
    clipping = [clip_grad_norm(c.args["grads"], c.args["max_norm"])[1] > c.args["max_norm"] for c in _calls()]
    assert any(clipping) and not all(clipping)


def test_judge_accepts_the_reference_lists_0d_norms_float32_and_no_eps() -> None:
    for call in _calls():
        grads, max_norm = call.args["grads"], call.args["max_norm"]
        clipped, total = clip_grad_norm(grads, max_norm)
        assert _verdict(call, (clipped, total)) == (True, False, [])
        assert _verdict(call, (list(clipped), np.asarray(total))) == (True, False, [])
        no_eps = tuple(g * min(1.0, max_norm / total) for g in grads)
        as32 = tuple(g.astype(np.float32) for g in no_eps)
        assert _verdict(call, (as32, np.float32(total).item()))[0], call.args["max_norm"]


def test_judge_rejects_wrong_structures_as_invalid() -> None:
    call = _calls()[0]
    clipped, total = clip_grad_norm(call.args["grads"], call.args["max_norm"])
    assert _verdict(call, clipped)[:2] == (False, True)
    assert _verdict(call, (clipped[:-1], total))[:2] == (False, True)
    assert _verdict(call, (np.concatenate([g.ravel() for g in clipped]), total))[:2] == (False, True)
    assert _verdict(call, (clipped, "5"))[:2] == (False, True)
    ok, invalid, _ = _verdict(call, (clipped, np.array([total])))
    assert not ok and not invalid  # a (1,) array instead of a float: wrong shape, a wrong answer


def test_every_mistake_is_rejected_and_named_in_some_case() -> None:
    named: dict[str, int] = {}
    for call in _calls():
        grads, max_norm = call.args["grads"], call.args["max_norm"]
        for model, model_norm, text in _mistakes(grads, max_norm, 1e-6):
            ok, _, diagnoses = _verdict(call, (tuple(model), model_norm))
            if not ok:
                assert any(text in d for d in diagnoses), (text, diagnoses)
                named[text] = named.get(text, 0) + 1
    assert len(named) == len(_mistakes(_calls()[0].args["grads"], 1.0, 1e-6))


def test_worked_example() -> None:
    grads = (np.array([3.0, 0.0]), np.array([[0.0], [4.0]]))
    clipped, total = clip_grad_norm(grads, 1.0)
    assert total == 5.0 and np.allclose(clipped[0], [0.6, 0.0]) and np.allclose(clipped[1], [[0.0], [0.8]])
    clipped, total = clip_grad_norm((np.array([0.3, 0.0]), np.array([[0.0], [0.4]])), 1.0)
    assert math.isclose(total, 0.5) and np.array_equal(clipped[0], [0.3, 0.0])
    assert_written_in_statement(TASK_ID, "total_norm = sqrt(9 + 16) = 5.0", "clipped = ([0.6, 0.0], [[0.0], [0.8]])",
                         "total_norm = 0.5 < 1")
