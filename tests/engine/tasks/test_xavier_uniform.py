"""Task ``xavier_uniform``: cases, the statistical judge over many seeds, its false-failure budget and its power."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from engine.tasks.xavier_uniform import (
    DELTA,
    MATCH_BAND,
    _variants,
    bound,
    hoeffding_fraction,
    thresholds,
    xavier_uniform,
)
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

TASK_ID = "xavier_uniform"


def test_false_failure_budget() -> None:
    assert len(stat_calls(TASK_ID)) * CHECKS_PER_CALL * DELTA < 1e-6
    assert 2 * math.exp(-2 * 1000 * hoeffding_fraction(1000) ** 2) == pytest.approx(DELTA, rel=1e-9)


CHECKS_PER_CALL = 3  # mean, second moment, outer-half fraction (the bound check cannot fail a correct draw)


def _uniform(scale: Callable[[int, int, float], float], normal: bool = False, centred: bool = True) -> Draw:
    def draw(fan_in: int, fan_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
        a = scale(fan_in, fan_out, gain)
        if normal:
            return rng.normal(0.0, a / math.sqrt(3.0), size=(fan_out, fan_in))
        if not centred:
            return rng.random((fan_out, fan_in)) * a
        return rng.uniform(-a, a, size=(fan_out, fan_in))
    return draw


def _mapped_float32(fan_in: int, fan_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return ((2.0 * rng.random((fan_out, fan_in)) - 1.0) * a).astype(np.float32)


RIGHT = lambda i, o, g: g * math.sqrt(6.0 / (i + o))  # noqa: E731
CORRECT: dict[str, Draw] = {"reference": xavier_uniform, "mapped_float32": _mapped_float32}
WRONG: dict[str, tuple[Draw, str]] = {
    "normal": (_uniform(RIGHT, normal=True), "looks normally distributed"),
    "fan_in_only": (_uniform(lambda i, o, g: g * math.sqrt(6.0 / i)), "uses fan_in only"),
    "lecun": (_uniform(lambda i, o, g: g * math.sqrt(3.0 / i)), "sqrt(3 / fan_in)"),
    "fan_out_only": (_uniform(lambda i, o, g: g * math.sqrt(6.0 / o)), "uses fan_out only"),
    "std_as_bound": (_uniform(lambda i, o, g: g * math.sqrt(2.0 / (i + o))), "Xavier-normal standard deviation"),
    "no_sqrt": (_uniform(lambda i, o, g: g * 6.0 / (i + o)), "missing its square root"),
    "gain_ignored": (_uniform(lambda i, o, g: math.sqrt(6.0 / (i + o))), "gain is ignored"),
    "gain_twice": (_uniform(lambda i, o, g: g * g * math.sqrt(6.0 / (i + o))), "gain is applied twice"),
    "not_centred": (_uniform(RIGHT, centred=False), "not centred"),
    "swapped": (swapped(xavier_uniform), "shape (fan_in, fan_out)"),
    "global_random": (global_random(xavier_uniform), "not drawn from rng"),
    "fixed_seed": (fixed_seed(xavier_uniform), "does not depend on rng"),
}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_draws_pass_for_many_seeds(name: str) -> None:
    for offset in range(0, 10_000, 100):  # 100 gradings
        verdicts = judge_draws(TASK_ID, CORRECT[name], offset)
        assert all(j.ok for j in verdicts.values()), (offset, {k: j.message for k, j in verdicts.items() if not j.ok})


def test_correct_draws_stay_far_inside_the_thresholds() -> None:
    # the largest deviation seen, as a fraction of its threshold, over 200 draws of every statistical call
    worst = 0.0
    for call in stat_calls(TASK_ID):
        fan_in, fan_out, gain = call.args["fan_in"], call.args["fan_out"], call.args.get("gain", 1.0)
        a = bound(fan_in, fan_out, gain)
        t = thresholds(fan_in * fan_out, a)
        for seed in range(200):
            W = xavier_uniform(fan_in, fan_out, np.random.default_rng(10_000 + seed), gain)
            worst = max(worst, abs(float(W.mean())) / t["mean"],
                        abs(float(np.mean(W * W)) - a * a / 3) / t["second_moment"],
                        abs(float(np.mean(np.abs(W) > a / 2)) - 0.5) / t["outer_fraction"])
    assert worst < 0.6, worst


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_draws_fail_every_time_and_are_named(name: str) -> None:
    fn, words = WRONG[name]
    assert_always_fails_and_named(TASK_ID, fn, words)


@pytest.mark.parametrize("name", ["normal", "std_as_bound", "not_centred", "fan_in_only", "lecun", "fan_out_only"])
def test_distribution_mistakes_fail_every_statistical_case(name: str) -> None:
    assert_fails_every_statistical_case(TASK_ID, WRONG[name][0])


def test_mistaken_bounds_are_apart_from_each_other_and_from_a() -> None:
    for call in stat_calls(TASK_ID):
        fan_in, fan_out, gain = call.args["fan_in"], call.args["fan_out"], call.args.get("gain", 1.0)
        ratios = [r for r, _ in _variants(fan_in, fan_out, gain)]
        for i, r in enumerate(ratios):
            assert r > 1.05 or r < 0.95, (call.args, r)  # larger: out of bounds; smaller: second moment fails
            for s in ratios[i + 1 :]:
                # both can be named ("or") only if the estimate is 1.5 bands off: 3 standard deviations or more
                assert abs(r / s - 1) > 1.5 * MATCH_BAND, (call.args, r, s)


def test_thresholds_follow_hoeffding() -> None:
    n, a = 12_288, 0.3
    t = thresholds(n, a)
    x = math.log(2 / DELTA)
    assert 2 * math.exp(-2 * n * (t["mean"] / (2 * a)) ** 2) == pytest.approx(DELTA, rel=1e-9)
    assert 2 * math.exp(-2 * n * (t["second_moment"] / (a * a)) ** 2) == pytest.approx(DELTA, rel=1e-9)
    assert t["outer_fraction"] == pytest.approx(math.sqrt(x / (2 * n)))


def test_worked_example() -> None:
    assert bound(4, 2) == 1.0
    assert math.isclose(bound(64, 192), 0.1531, abs_tol=1e-4)
    W = xavier_uniform(4, 2, np.random.default_rng(0))
    assert W.shape == (2, 4) and np.all(np.abs(W) <= 1.0)
    assert_written_in_statement(TASK_ID, "a = sqrt(6 / 6) = 1", "a = sqrt(6 / 256) = 0.1531", "variance 0.0078",
                         "probability below 1e-6")
