"""Task ``he_normal``: cases, the statistical judge over many seeds, its false-failure budget and its power."""

from __future__ import annotations

import ast
import math
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.task import Call, CallResult, Case, Judgement, RngSeed
from engine.tasks import get_task
from engine.tasks.he_normal import P_BEYOND_2, P_WITHIN_1, _variants, he_normal, thresholds
from engine.tasks.xavier_uniform import DELTA, MIN_STAT_SIZE, hoeffding_fraction
from questions.schema import TaskText

TASK_ID = "he_normal"
TEXT_PATH = Path(__file__).resolve().parents[3] / "questions" / "tasks" / f"{TASK_ID}.toml"


def _text() -> TaskText:
    return TaskText.model_validate(tomllib.loads(TEXT_PATH.read_text()))


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def test_cases_are_deterministic() -> None:
    task = get_task(TASK_ID)
    first = task.make_cases(np.random.default_rng(7))
    second = task.make_cases(np.random.default_rng(7))
    assert [c.name for c in first] == [c.name for c in second]
    for a, b in zip(first, second, strict=True):
        assert (a.visible, a.description, len(a.calls)) == (b.visible, b.description, len(b.calls))
        for ca, cb in zip(a.calls, b.calls, strict=True):
            assert ca.function == cb.function and ca.args.keys() == cb.args.keys()
            assert all(_same(ca.args[k], cb.args[k]) for k in ca.args)


def test_visible_examples_come_first() -> None:
    cases = get_task(TASK_ID).cases()
    visible = [c for c in cases if c.visible]
    assert 1 <= len(visible) <= 2
    assert cases[: len(visible)] == visible
    assert all(c.description for c in cases)


def test_starter_defines_exactly_the_contract_signatures() -> None:
    text = _text()
    assert text.id == TASK_ID
    found: dict[str, list[tuple[str, object]]] = {}
    for node in ast.parse(text.starter).body:
        if isinstance(node, ast.FunctionDef):
            names = [a.arg for a in node.args.args]
            defaults: list[object] = [None] * (len(names) - len(node.args.defaults))
            defaults += [ast.literal_eval(d) for d in node.args.defaults]
            found[node.name] = list(zip(names, defaults, strict=True))
            assert ast.get_docstring(node), node.name
            assert isinstance(node.body[-1], ast.Raise)
    want = {
        f.name: [(p.name, None if p.default is None else ast.literal_eval(p.default)) for p in f.params]
        for f in get_task(TASK_ID).functions
    }
    assert found == want
    assert "import numpy as np" in text.starter


def _assert_in_statement(*snippets: str) -> None:
    statement = _text().statement
    for s in snippets:
        assert s in statement, (s, TASK_ID)


Fn = Callable[..., Any]


def _grade(fn: Fn, offset: int) -> dict[str, Judgement]:
    """Judge ``fn`` on every case, with every seed shifted by ``offset`` (same seeds stay equal)."""
    task = get_task(TASK_ID)
    assert task.custom_judge is not None
    out: dict[str, Judgement] = {}
    for case in task.cases():
        calls = tuple(Call(c.function, {**c.args, "rng": RngSeed(c.args["rng"].seed + offset)}) for c in case.calls)
        results = [
            CallResult(c, value=fn(**{**c.args, "rng": np.random.default_rng(c.args["rng"].seed)})) for c in calls
        ]
        out[case.name] = task.custom_judge(Case(case.name, calls), results)
    return out


def _stat_cases() -> list[str]:
    return [c.name for c in get_task(TASK_ID).cases() if c.calls[0].args["fan_in"] * c.calls[0].args["fan_out"]
            >= MIN_STAT_SIZE]


def _stat_calls() -> list[Call]:
    return [c for case in get_task(TASK_ID).cases() for c in case.calls
            if c.args["fan_in"] * c.args["fan_out"] >= MIN_STAT_SIZE]


def _global_random(fn: Fn) -> Fn:
    def draw(**args: Any) -> np.ndarray:
        args["rng"] = np.random.default_rng(int(np.random.default_rng().integers(2**32)))
        return np.asarray(fn(**args))
    return draw


def _fixed_seed(fn: Fn) -> Fn:
    def draw(**args: Any) -> np.ndarray:
        args["rng"] = np.random.default_rng(0)
        return np.asarray(fn(**args))
    return draw


def _swapped(fn: Fn) -> Fn:
    def draw(**args: Any) -> np.ndarray:
        return np.asarray(fn(**args)).T.copy()
    return draw


def test_false_failure_budget() -> None:
    assert len(_stat_calls()) * CHECKS_PER_CALL * DELTA < 1e-6
    assert 2 * math.exp(-2 * 1000 * hoeffding_fraction(1000) ** 2) == pytest.approx(DELTA, rel=1e-9)


CHECKS_PER_CALL = 4  # mean, variance, fraction within 1 std, fraction beyond 2 std


def _normal(var: Callable[[int, int], float]) -> Fn:
    def draw(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(0.0, math.sqrt(var(fan_in, fan_out)), size=(fan_out, fan_in))
    return draw


def _uniform_he(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    b = math.sqrt(6.0 / fan_in)
    return rng.uniform(-b, b, size=(fan_out, fan_in))


def _standard_float32(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    return (rng.standard_normal((fan_out, fan_in)) * math.sqrt(2.0) / math.sqrt(fan_in)).astype(np.float32)


CORRECT: dict[str, Fn] = {"reference": he_normal, "standard_float32": _standard_float32}
WRONG: dict[str, tuple[Fn, str]] = {
    "std_is_variance": (_normal(lambda i, o: (2.0 / i) ** 2), "standard deviation is 2 / fan_in"),
    "variance_is_std": (_normal(lambda i, o: math.sqrt(2.0 / i)), "the std used as the variance"),
    "fan_out": (_normal(lambda i, o: 2.0 / o), "variance uses fan_out"),
    "xavier": (_normal(lambda i, o: 2.0 / (i + o)), "Xavier's 2 / (fan_in + fan_out)"),
    "lecun": (_normal(lambda i, o: 1.0 / i), "LeCun"),
    "uniform": (_uniform_he, "looks uniform"),
    "swapped": (_swapped(he_normal), "shape (fan_in, fan_out)"),
    "global_random": (_global_random(he_normal), "not drawn from rng"),
    "fixed_seed": (_fixed_seed(he_normal), "does not depend on rng"),
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_draws_pass_for_many_seeds(name: str) -> None:
    for offset in range(0, 10_000, 100):  # 100 gradings
        verdicts = _grade(CORRECT[name], offset)
        assert all(j.ok for j in verdicts.values()), (offset, {k: j.message for k, j in verdicts.items() if not j.ok})


def test_correct_draws_stay_far_inside_the_thresholds() -> None:
    worst = 0.0
    for call in _stat_calls():
        fan_in, fan_out = call.args["fan_in"], call.args["fan_out"]
        n = fan_in * fan_out
        sigma = math.sqrt(2.0 / fan_in)
        t = thresholds(n, sigma)
        for seed in range(200):
            W = he_normal(fan_in, fan_out, np.random.default_rng(10_000 + seed))
            chi2 = n * float(np.mean(W * W)) / sigma**2
            worst = max(worst, abs(float(W.mean())) / t["mean"],
                        (chi2 - n) / (t["chi2_high"] - n), (n - chi2) / (n - t["chi2_low"]),
                        abs(float(np.mean(np.abs(W) < sigma)) - P_WITHIN_1) / t["fraction"],
                        abs(float(np.mean(np.abs(W) > 2 * sigma)) - P_BEYOND_2) / t["fraction"])
    assert worst < 0.6, worst


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_draws_fail_every_time_and_are_named(name: str) -> None:
    fn, words = WRONG[name]
    for offset in range(0, 3_000, 100):  # 30 gradings
        verdicts = _grade(fn, offset)
        failed = [j for j in verdicts.values() if not j.ok]
        assert failed, offset
        assert any(words in d for j in failed for d in j.diagnoses), (offset, [j.diagnoses for j in failed])


@pytest.mark.parametrize("name", ["std_is_variance", "variance_is_std", "fan_out", "xavier", "lecun", "uniform"])
def test_distribution_mistakes_fail_every_statistical_case(name: str) -> None:
    fn, _ = WRONG[name]
    for offset in range(0, 1_000, 100):
        verdicts = _grade(fn, offset)
        assert all(not verdicts[c].ok for c in _stat_cases()), (name, offset)


def test_mistaken_variances_are_apart_from_each_other_and_from_the_band() -> None:
    for call in _stat_calls():
        fan_in, fan_out = call.args["fan_in"], call.args["fan_out"]
        ratios = [r for r, _ in _variants(fan_in, fan_out)]
        for i, r in enumerate(ratios):
            assert r > 1.16 or r < 0.84, (call.args, r)
            for s in ratios[i + 1 :]:
                assert abs(r / s - 1) > 0.12, (call.args, r, s)


def test_thresholds() -> None:
    n, sigma = 12_288, 0.125
    t = thresholds(n, sigma)
    x = math.log(2 / DELTA)
    assert 2 * math.exp(-((t["mean"] / (sigma / math.sqrt(n))) ** 2) / 2) == pytest.approx(DELTA, rel=1e-9)
    assert math.exp(-x) == pytest.approx(DELTA / 2)
    assert t["chi2_low"] == pytest.approx(n - 2 * math.sqrt(n * x))
    assert t["chi2_high"] == pytest.approx(n + 2 * math.sqrt(n * x) + 2 * x)
    assert pytest.approx(0.682689, abs=1e-6) == P_WITHIN_1 and pytest.approx(0.0455, abs=1e-4) == P_BEYOND_2


def test_worked_example() -> None:
    W = he_normal(8, 3, np.random.default_rng(0))
    assert W.shape == (3, 8)
    _assert_in_statement("variance 2/8 = 0.25, standard deviation 0.5", "variance 0.0156", "0.6827", "0.0455",
                         "probability below 1e-6")
