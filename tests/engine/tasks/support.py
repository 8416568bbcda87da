"""Helpers the task tests share: the task's text, its worked example, gradient checks and graded submissions.

The generic properties every task must have live in tests/engine/test_task_properties.py; the per-task files keep
only what is specific to their task and call these helpers for it.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from engine import gradcheck, grade
from engine.compare import relative_error
from engine.crosscheck import forward_args
from engine.report import GradeReport
from engine.task import Call, CallResult, Case, Detector, DiagnosisContext, GradientLink, Judgement, RngSeed, Task
from engine.tasks import get_task
from engine.tasks.xavier_uniform import MIN_STAT_SIZE
from questions.schema import TaskText
from tests.support.inprocess import InProcessRunner

ROOT = Path(__file__).resolve().parents[3]
SUBMISSIONS = ROOT / "tests" / "submissions"
GRADED_SEED = 2026  # the hidden-case seed of :func:`graded`


@cache
def task_text(task_id: str) -> TaskText:
    """The task's prose (statement, starter, hints) as questions/tasks/<id>.toml holds it."""
    path = ROOT / "questions" / "tasks" / f"{task_id}.toml"
    return TaskText.model_validate(tomllib.loads(path.read_text()))


def submissions(task_id: str, kind: str) -> list[Path]:
    """The known ``correct`` or ``wrong`` submissions of a task, sorted."""
    return sorted((SUBMISSIONS / task_id).glob(f"{kind}_*.py"))


def same(a: object, b: object) -> bool:
    """Equal values of equal types (arrays: same dtype and elements, NaN equal to NaN; tuples element by element)."""
    if isinstance(a, np.ndarray):
        nan = a.dtype.kind in "fc"
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=nan)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def assert_same_cases(first: Sequence[Case], second: Sequence[Case]) -> None:
    """Two generations of cases are the same: names, visibility, descriptions, calls and argument values."""
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        assert (a.visible, a.description, len(a.calls)) == (b.visible, b.description, len(b.calls))
        for ca, cb in zip(a.calls, b.calls, strict=True):
            assert ca.function == cb.function and ca.args.keys() == cb.args.keys()
            assert all(same(ca.args[k], cb.args[k]) for k in ca.args), (a.name, ca.function)


def _statement_numbers(task_id: str) -> np.ndarray:
    return np.array([float(m) for m in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", task_text(task_id).statement)])


def assert_in_statement(task_id: str, *arrays: Any, tol: float = 6e-5) -> None:
    """Every value the reference gives for the worked example appears in the statement (to 4 decimals)."""
    numbers = _statement_numbers(task_id)
    for a in arrays:
        for v in np.ravel(np.asarray(a, dtype=np.float64)):
            assert np.min(np.abs(numbers - v)) <= tol, (v, task_id)


def written(v: float) -> str:
    """A number as the statement writes it: 4 decimals, trailing zeros dropped."""
    s = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def assert_written_in_statement(task_id: str, *values: Any) -> None:
    """Each string, and each number of each array as :func:`written` writes it, stands in the statement's text."""
    statement = task_text(task_id).statement
    for value in values:
        texts = [value] if isinstance(value, str) else [written(float(v)) for v in np.ravel(np.asarray(value, float))]
        for s in texts:
            assert s in statement, (s, task_id)


def gradcheck_reference(f: Any, inputs: list[np.ndarray], grad_fn: Any, names: list[str], **kwargs: Any) -> None:
    """``grad_fn`` agrees with centred differences of ``f`` to a relative error of 1e-7 (float64, every element)."""
    result = gradcheck(f, inputs, grad_fn, names=names, atol=0.0, rtol=1e-7, raise_exception=False, **kwargs)
    assert result.ok and result.max_rel_error <= 1e-7, result.report()


def gradcheck_cases(
    task_id: str,
    skip: Callable[[Mapping[str, Any]], bool] | None = None,
    eps: Callable[[Mapping[str, Any]], float] | None = None,
) -> list[Call]:
    """Gradient-check the reference backward of every case call against its forward, through the task's links.

    The forward is evaluated at the backward call's own arguments and the upstream gradient is the call's (a loss
    that returns its own gradient gets upstream 1). ``skip`` leaves out calls where finite differences mean nothing
    (kinks, huge logits); ``eps`` chooses the step per call. Returns the calls checked.
    """
    task = get_task(task_id)
    checked: list[Call] = []
    for link in task.links:
        for call in (c for case in task.cases() for c in case.calls if c.function == link.backward):
            if skip is None or not skip(call.args):
                _gradcheck_call(task, link, call, 1e-6 if eps is None else eps(call.args))
                checked.append(call)
    return checked


def _gradcheck_call(task: Task, link: GradientLink, call: Call, eps: float) -> None:
    forward, backward = task.reference[link.forward], task.reference[link.backward]
    outputs = task.function(link.backward).outputs
    params = {p.name for p in task.function(link.forward).params}
    backward_params = {p.name for p in task.function(link.backward).params}  # a linear map's backward may not take x
    fixed = {k: v for k, v in forward_args(link, dict(call.args)).items() if k in params}
    wrt = list(link.wrt)

    def f(*xs: np.ndarray) -> Any:
        out = forward(**{**fixed, **dict(zip(wrt, xs, strict=True))})
        return out if link.forward_output is None else out[link.forward_output]

    def grad_fn(up: Any, *xs: np.ndarray) -> tuple[Any, ...]:
        moved = {**call.args, **{w: x for w, x in zip(wrt, xs, strict=True) if w in backward_params}}
        if link.upstream_arg is not None:
            moved[link.upstream_arg] = up
        out = backward(**moved)
        outs = (out,) if len(outputs) == 1 else tuple(out)
        grads = tuple(outs[0 if index is None else index] for index in link.wrt.values())
        return grads if link.upstream_arg is not None else tuple(up * g for g in grads)

    upstream = None if link.upstream_arg is None else call.args[link.upstream_arg]
    gradcheck_reference(f, [fixed[w] for w in wrt], grad_fn, wrt, upstream=upstream, eps=eps)


@dataclass
class Graded:
    """Every known submission of one task, graded once: reports, the detectors that fired, call times."""

    reports: dict[Path, GradeReport] = field(default_factory=dict)
    fired: set[tuple[str, int]] = field(default_factory=set)
    call_seconds: dict[Path, list[tuple[str, float]]] = field(default_factory=dict)


class _TimingRunner(InProcessRunner):
    """The in-process runner, keeping the seconds of each call of a submission's first two runs (its case calls:
    the visible examples', then the hidden cases')."""

    def __init__(self) -> None:
        self.first: list[tuple[str, float]] = []
        self.runs = 0

    def run(self, source: str, calls: Any, functions: Any, limits: Any) -> Any:
        result = super().run(source, calls, functions, limits)
        self.runs += 1
        if self.runs <= 2:
            self.first += [(r.call.function, r.seconds) for r in result.calls]
        return result


@cache
def graded(task_id: str) -> Graded:
    """Grade each known submission of the task once (in-process), recording which of its detectors fire.

    tests/engine/test_submissions.py checks the reports against the files' headers, and
    tests/engine/test_task_properties.py that every detector fires and every correct call is fast.
    """
    task = get_task(task_id)
    out = Graded()

    def spy(key: tuple[str, int], detector: Detector) -> Detector:
        def run(ctx: DiagnosisContext) -> str | None:
            found = detector(ctx)
            if found:
                out.fired.add(key)
            return found

        return run

    original = task.detectors
    task.detectors = {fn: tuple(spy((fn, i), d) for i, d in enumerate(dets)) for fn, dets in original.items()}
    try:
        with np.errstate(all="ignore"):
            for path in submissions(task_id, "correct") + submissions(task_id, "wrong"):
                runner = _TimingRunner()
                # A fixed hidden-case seed: the expected diagnoses are checked on these cases; tests/engine/
                # test_any_seed.py checks the verdicts on hundreds of seeds.
                out.reports[path] = grade(path.read_text(), task_id, runner=runner, seed=GRADED_SEED)
                out.call_seconds[path] = runner.first
    finally:
        task.detectors = original
    return out



# ---------------------------------------------------------------------------------------------------- seeded draws
# he_normal and xavier_uniform: judged statistically over the cases' seeds.

Draw = Callable[..., Any]


def judge_draws(task_id: str, fn: Draw, offset: int) -> dict[str, Judgement]:
    """Judge ``fn`` on every case, with every seed shifted by ``offset`` (same seeds stay equal)."""
    task = get_task(task_id)
    assert task.custom_judge is not None
    out: dict[str, Judgement] = {}
    for case in task.cases():
        calls = tuple(Call(c.function, {**c.args, "rng": RngSeed(c.args["rng"].seed + offset)}) for c in case.calls)
        results = [
            CallResult(c, value=fn(**{**c.args, "rng": np.random.default_rng(c.args["rng"].seed)})) for c in calls
        ]
        out[case.name] = task.custom_judge(Case(case.name, calls), results)
    return out


def _statistical(call: Call) -> bool:
    return bool(call.args["fan_in"] * call.args["fan_out"] >= MIN_STAT_SIZE)


def assert_always_fails_and_named(task_id: str, fn: Draw, words: str, gradings: int = 30) -> None:
    """A wrong draw fails every one of ``gradings`` gradings (each with other seeds), naming the mistake."""
    for offset in range(0, 100 * gradings, 100):
        verdicts = judge_draws(task_id, fn, offset)
        failed = [j for j in verdicts.values() if not j.ok]
        assert failed, offset
        assert any(words in d for j in failed for d in j.diagnoses), (offset, [j.diagnoses for j in failed])


def assert_fails_every_statistical_case(task_id: str, fn: Draw, gradings: int = 10) -> None:
    """A mistaken distribution fails each statistical case in every one of ``gradings`` gradings."""
    for offset in range(0, 100 * gradings, 100):
        verdicts = judge_draws(task_id, fn, offset)
        assert all(not verdicts[c].ok for c in stat_cases(task_id)), offset


def stat_cases(task_id: str) -> list[str]:
    """The cases large enough to be judged statistically."""
    return [c.name for c in get_task(task_id).cases() if _statistical(c.calls[0])]


def stat_calls(task_id: str) -> list[Call]:
    """The calls large enough to be judged statistically."""
    return [c for case in get_task(task_id).cases() for c in case.calls if _statistical(c)]


def global_random(fn: Draw) -> Draw:
    """The mistake of drawing from a fresh unseeded generator instead of ``rng``."""

    def draw(**args: Any) -> np.ndarray:
        args["rng"] = np.random.default_rng(int(np.random.default_rng().integers(2**32)))
        return np.asarray(fn(**args))

    return draw


def fixed_seed(fn: Draw) -> Draw:
    """The mistake of drawing from a generator with a fixed seed instead of ``rng``."""

    def draw(**args: Any) -> np.ndarray:
        args["rng"] = np.random.default_rng(0)
        return np.asarray(fn(**args))

    return draw


def swapped(fn: Draw) -> Draw:
    """The mistake of returning shape (fan_in, fan_out)."""

    def draw(**args: Any) -> np.ndarray:
        return np.asarray(fn(**args)).T.copy()

    return draw


# ---------------------------------------------------------------------------------------------------- Adam
# adam_step and adamw_step: PyTorch's arrangement, and mistakes far outside the tolerance.


def adam_args(call_args: Any, default_decay: float) -> dict[str, Any]:
    """Every argument of an Adam step call, the defaults filled in."""
    a: dict[str, Any] = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": default_decay}
    a.update(call_args)
    return a


def torch_adam(a: dict[str, Any], decoupled: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PyTorch's own arrangement: step_size = lr / bc1, denom = sqrt(v) / sqrt(bc2) + eps."""
    p, g, m, v, t = a["param"], a["grad"], a["m"], a["v"], a["t"]
    lr, b1, b2, eps, wd = a["lr"], a["beta1"], a["beta2"], a["eps"], a["weight_decay"]
    if decoupled:
        p = p * (1 - lr * wd)
    else:
        g = g + wd * p
    m = m * b1 + (1 - b1) * g
    v = v * b2 + (1 - b2) * g * g
    denom = np.sqrt(v) / math.sqrt(1 - b2**t) + eps
    return p - (lr / (1 - b1**t)) * m / denom, m, v


def max_error(ref: tuple[np.ndarray, ...], model: tuple[np.ndarray, ...]) -> float:
    if not all(np.all(np.isfinite(x)) for x in model):
        return math.inf
    return max(relative_error(r, x) for r, x in zip(ref, model, strict=True))


def assert_mistakes_far(
    task_id: str, reference: Any, mistakes: Any, default_decay: float, expected_caught: set[str]
) -> None:
    """Each expected mistake is at least ten tolerances off the reference in some case."""
    tol = get_task(task_id).tolerance
    caught: set[str] = set()
    for case in get_task(task_id).cases():
        a = adam_args(case.calls[0].args, default_decay)
        ref = reference(**a)
        for model, text in mistakes(variant_args(a)):
            # Some mistakes fade in some cases (the beta1 correction at t = 50, anything at lr 1e-3); each must be
            # at least ten tolerances off in some case, so that it fails whatever the rounding.
            if max_error(ref, model) > 10 * tol:
                caught.add(text.split(":")[0])
    missing = {e for e in expected_caught if not any(c.startswith(e) for c in caught)}
    assert not missing, missing


def variant_args(a: dict[str, Any]) -> dict[str, Any]:
    """The arguments as float64 arrays, as the mistaken models take them."""
    return {k: (np.asarray(v, dtype=np.float64) if k in ("param", "grad", "m", "v") else v) for k, v in a.items()}
