"""Task ``he_normal``: cases, the statistical judge over many seeds, its false-failure budget and its power."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from engine.tasks.he_normal import P_BEYOND_2, P_WITHIN_1, _variants, he_normal, thresholds
from engine.tasks.xavier_uniform import DELTA, hoeffding_fraction
from tests.engine.tasks.support import (
    Draw,
    assert_always_fails_and_named,
    assert_fails_every_statistical_case,
    assert_written_in_statement,
    fixed_seed,
    global_random,
    judge_draws,
    stat_calls,
    swapped,
)

TASK_ID = "he_normal"


def test_false_failure_budget() -> None:
    assert len(stat_calls(TASK_ID)) * CHECKS_PER_CALL * DELTA < 1e-6
    assert 2 * math.exp(-2 * 1000 * hoeffding_fraction(1000) ** 2) == pytest.approx(DELTA, rel=1e-9)


CHECKS_PER_CALL = 4  # mean, variance, fraction within 1 std, fraction beyond 2 std


def _normal(var: Callable[[int, int], float]) -> Draw:
    def draw(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(0.0, math.sqrt(var(fan_in, fan_out)), size=(fan_out, fan_in))
    return draw


def _uniform_he(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    b = math.sqrt(6.0 / fan_in)
    return rng.uniform(-b, b, size=(fan_out, fan_in))


def _standard_float32(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    return (rng.standard_normal((fan_out, fan_in)) * math.sqrt(2.0) / math.sqrt(fan_in)).astype(np.float32)


CORRECT: dict[str, Draw] = {"reference": he_normal, "standard_float32": _standard_float32}
WRONG: dict[str, tuple[Draw, str]] = {
    "std_is_variance": (_normal(lambda i, o: (2.0 / i) ** 2), "standard deviation is 2 / fan_in"),
    "variance_is_std": (_normal(lambda i, o: math.sqrt(2.0 / i)), "the std used as the variance"),
    "fan_out": (_normal(lambda i, o: 2.0 / o), "variance uses fan_out"),
    "xavier": (_normal(lambda i, o: 2.0 / (i + o)), "Xavier's 2 / (fan_in + fan_out)"),
    "lecun": (_normal(lambda i, o: 1.0 / i), "LeCun"),
    "uniform": (_uniform_he, "looks uniform"),
    "swapped": (swapped(he_normal), "shape (fan_in, fan_out)"),
    "global_random": (global_random(he_normal), "not drawn from rng"),
    "fixed_seed": (fixed_seed(he_normal), "does not depend on rng"),
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_draws_pass_for_many_seeds(name: str) -> None:
    for offset in range(0, 10_000, 100):  # 100 gradings
        verdicts = judge_draws(TASK_ID, CORRECT[name], offset)
        assert all(j.ok for j in verdicts.values()), (offset, {k: j.message for k, j in verdicts.items() if not j.ok})


def test_correct_draws_stay_far_inside_the_thresholds() -> None:
    worst = 0.0
    for call in stat_calls(TASK_ID):
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
    assert_always_fails_and_named(TASK_ID, fn, words)


@pytest.mark.parametrize("name", ["std_is_variance", "variance_is_std", "fan_out", "xavier", "lecun", "uniform"])
def test_distribution_mistakes_fail_every_statistical_case(name: str) -> None:
    assert_fails_every_statistical_case(TASK_ID, WRONG[name][0])


def test_mistaken_variances_are_apart_from_each_other_and_from_the_band() -> None:
    for call in stat_calls(TASK_ID):
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
    assert_written_in_statement(
        TASK_ID, "variance 2/8 = 0.25, standard deviation 0.5", "variance 0.0156", "0.6827", "0.0455",
        "probability below 1e-6",
    )
