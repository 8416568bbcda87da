"""Task ``autograd_value``: the reference Value against float64 finite differences of each case's graph (and
against PyTorch when it is importable), the accumulation convention, the worked example, the starter, and each
classic mistake told apart from the reference by the cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine import Verdict, grade
from engine.objects import perform
from engine.task import Call, Case, Ref
from engine.tasks import _autograd_mistakes as mistakes
from engine.tasks import get_task
from engine.tasks._autograd_reference import Value
from tests.engine.tasks.support import SUBMISSIONS as ALL_SUBMISSIONS
from tests.engine.tasks.support import task_text
from tests.support.inprocess import InProcessRunner

TASK_ID = "autograd_value"
SEEDS = range(12)
SUBMISSIONS = ALL_SUBMISSIONS / TASK_ID


def _is_backward(call: Call) -> bool:
    return call.kind == "method" and call.function == "backward"


def _leaves(case: Case) -> dict[str, float]:
    return {c.store_as: float(c.args["data"]) for c in case.calls if c.function == "Value" and c.store_as}


def _build(case: Case, leaves: dict[str, float], make: Callable[[float], Any]) -> tuple[dict[str, Any], str]:
    """Run the case's calls up to its first backward() with ``make`` as the leaf constructor: the kept objects and
    the root's name."""
    kept: dict[str, Any] = {}
    for call in case.calls:
        if _is_backward(call):
            assert call.target is not None
            return kept, call.target
        args = {k: kept[v.name] if isinstance(v, Ref) else v for k, v in call.args.items()}
        if call.function == "Value":
            assert call.store_as is not None
            kept[call.store_as] = make(leaves[call.store_as])
            continue
        target = kept[call.target] if call.target is not None else None
        assert call.store_as is not None
        kept[call.store_as] = perform(call.kind, call.function, target, args, lambda name: None)
    raise AssertionError(f"{case.name} never calls backward()")


def _all_cases() -> list[Case]:
    task = get_task(TASK_ID)
    return [c for seed in SEEDS for c in task.cases(seed) if not c.visible] + [c for c in task.cases() if c.visible]


@pytest.mark.parametrize("case", _all_cases(), ids=lambda c: c.name)
def test_reference_grads_match_central_differences_in_float64(case: Case) -> None:
    leaves = _leaves(case)
    kept, root = _build(case, leaves, Value)
    kept[root].backward()

    def f(values: dict[str, float]) -> float:
        nodes, top = _build(case, values, Value)
        return float(nodes[top].data)

    eps = 1e-6
    for name, x in leaves.items():
        if name not in kept:
            continue
        numeric = (f({**leaves, name: x + eps}) - f({**leaves, name: x - eps})) / (2 * eps)
        assert abs(kept[name].grad - numeric) <= 1e-6 * max(1.0, abs(numeric)), (case.name, name)


@pytest.mark.parametrize("case", _all_cases()[:24], ids=lambda c: c.name)
def test_reference_agrees_with_pytorch(case: Case) -> None:
    torch = pytest.importorskip("torch")
    leaves = _leaves(case)

    def tensor(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    kept, root = _build(case, leaves, tensor)
    kept[root].backward(retain_graph=True)
    kept[root].backward()
    ours, our_root = _build(case, leaves, Value)
    ours[our_root].backward()
    ours[our_root].backward()
    for name in leaves:
        if name in kept and kept[name].grad is not None:
            assert abs(float(kept[name].grad) - ours[name].grad) <= 1e-9 * max(1.0, abs(ours[name].grad)), name


def test_a_second_backward_doubles_every_grad() -> None:
    a, b = Value(0.7), Value(-1.3)
    root = (a * b).tanh() * a + b
    root.backward()
    once = [n.grad for n in (a, b, root)]
    root.backward()
    assert [n.grad for n in (a, b, root)] == pytest.approx([2 * g for g in once], rel=1e-12)
    assert once[2] == 1.0


def test_worked_example() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    e = d**2
    e.backward()
    assert (e.data, e.grad, c.grad, a.grad, b.grad) == (16.0, 1.0, -8.0, 16.0, -16.0)
    statement = task_text(TASK_ID).statement
    for line in ("e.grad  ->  1.0", "c.grad  ->  -8.0", "a.grad  ->  16.0", "b.grad  ->  -16.0", "a.grad -> 32.0"):
        assert line in statement, line
    e.backward()
    assert a.grad == 32.0
    example = get_task(TASK_ID).cases()[0]
    assert example.visible and [c.text() for c in example.calls][:5] == [
        "a = Value(data=2.0)", "b = Value(data=-3.0)", "c = a * b", "d = c + a", "e = d ** 2",
    ]


def test_reference_operations_with_numbers_on_either_side() -> None:
    v = Value(2.0)
    values = [v + 1, 1 + v, v - 1, 1 - v, 3 * v, v * 3, v / 4, 4 / v, -v, v**-1, v**0.5]
    assert [n.data for n in values] == pytest.approx([3, 3, 1, -1, 6, 6, 0.5, 2, -2, 0.5, 2**0.5])
    total = values[0]
    for n in values[1:]:
        total = total + n
    total.backward()
    assert v.grad == pytest.approx(1 + 1 + 1 - 1 + 3 + 3 + 0.25 - 1 - 1 - 0.25 + 0.5 * 2**-0.5)
    assert Value(-1.0).relu().data == 0.0


@pytest.mark.parametrize(
    "variant",
    [
        mistakes.Overwritten, mistakes.Recursive, mistakes.BreadthFirst, mistakes.Restarting, mistakes.ReusesGrads,
        mistakes.PowerWithoutFactor, mistakes.PowerNotReduced, mistakes.DivisionSign,
        mistakes.DivisionWithoutNumerator, mistakes.NoSeed,
    ],
)
def test_every_mistake_is_caught_by_the_hidden_cases_of_any_seed(variant: type[Value]) -> None:
    """On every seed, some hidden case tells each classic mistake from the reference."""
    task = get_task(TASK_ID)
    for seed in SEEDS:
        hidden = [c for c in task.cases(seed) if not c.visible]
        assert any(_differs(task, case, variant) for case in hidden), (variant.__name__, seed)


def _differs(task: Any, case: Case, variant: type[Value]) -> bool:
    right = task.replay(case)
    wrong = task.replay(case, {"Value": variant})
    return any(
        r is not None and w is not None and not np.allclose(list(r.values()), list(w.values()), rtol=1e-3)
        for r, w in zip(right, wrong, strict=True)
    )


def test_the_untouched_starter_fails_every_case(inprocess: InProcessRunner) -> None:
    report = grade(task_text(TASK_ID).starter, TASK_ID, runner=inprocess)
    assert report.verdict is Verdict.RUNTIME_ERROR and report.score == 0.0
    assert all(c.verdict is Verdict.RUNTIME_ERROR for c in report.cases)


def test_a_visible_case_shows_its_calls_and_a_hidden_one_shows_nothing(inprocess: InProcessRunner) -> None:
    source = (SUBMISSIONS / "wrong_overwrites.py").read_text()
    report = grade(source, TASK_ID, runner=inprocess, seed=5)
    example, twice = report.cases[0], report.cases[1]
    assert example.inputs == {
        "calls": "a = Value(data=2.0); b = Value(data=-3.0); c = a * b; d = c + a; e = d ** 2; e.backward(); "
        "e.data; a.grad; b.grad; c.grad; e.grad"
    }
    assert [o.name for o in example.outputs] == ["e.data", "a.grad", "b.grad", "c.grad", "e.grad"]
    assert "a.grad after 2 backward()" in [o.name for o in twice.outputs]
    assert all(c.inputs is None for c in report.cases if not c.visible)
