"""Task ``he_normal``: Kaiming/He normal initialisation (fan_in mode, ReLU gain), as torch.nn.init.kaiming_normal_.

W has shape (fan_out, fan_in) (torch.nn.Linear's layout) and is drawn from N(0, sigma**2) with
sigma**2 = 2 / fan_in, using the ``rng`` argument (a numpy Generator) alone.

Graded by properties and statistics, never by exact values (the judge is shared with xavier_uniform):

* every call: W is a finite floating array of shape (fan_out, fan_in);
* calls with n = fan_in * fan_out >= MIN_STAT_SIZE elements, four statistical checks, each failing a correct
  submission with probability at most DELTA = 1e-8, with x = ln(2 / DELTA) = 19.1:
  - mean: mean(W) ~ N(0, sigma**2 / n) exactly; the Gaussian tail bound P(|Z| > z) <= 2 exp(-z**2 / 2) gives
    |mean(W)| <= sigma * sqrt(2x / n);
  - variance: X = n * mean(W**2) / sigma**2 is chi-squared with n degrees of freedom; Laurent and Massart's
    bounds P(X - n >= 2 sqrt(n x) + 2x) <= e**-x and P(n - X >= 2 sqrt(n x)) <= e**-x (each DELTA / 2) give
    n - 2 sqrt(n x) <= X <= n + 2 sqrt(n x) + 2x;
  - shape of the distribution: the fraction of |W| < sigma is within sqrt(x / (2n)) of
    erf(1 / sqrt 2) = 0.6827, and the fraction of |W| > 2 sigma within the same of erfc(sqrt 2) = 0.0455
    (Hoeffding for Bernoulli draws);
  a grading makes fewer than 30 such checks (test_he_normal counts them): false failure below 3e-7 < 1e-6;
* two calls with the same seed return the same W, two with different seeds different W's.

The classic mistakes fail with overwhelming probability: a uniform draw with the right variance (He uniform) has
57.7% of its values within sigma and none beyond 2 sigma (at n = 12,000 the band is +- 0.028); a variance of
4 / fan_in**2 (the std 2 / fan_in), 2 / fan_out, 2 / (fan_in + fan_out) or 1 / fan_in is at least 16% away from
2 / fan_in in every statistical case, while the variance band is within -8.8% / +9.2% (at n = 10,000), and the
estimated variance's own standard deviation is about 1.4%.
"""

from __future__ import annotations

import math

import numpy as np

from engine.task import Call, Case, FunctionSpec, RngSeed, Task
from engine.tasks._util import params
from engine.tasks.xavier_uniform import (
    MIN_STAT_SIZE,
    Stat,
    Verdict,
    hoeffding_fraction,
    kurtosis,
    log_term,
    make_judge,
    matching,
)

P_WITHIN_1 = math.erf(1.0 / math.sqrt(2.0))  # P(|Z| < 1) = 0.6827
P_BEYOND_2 = math.erfc(math.sqrt(2.0))  # P(|Z| > 2) = 0.0455


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """W (fan_out, fan_in) ~ N(0, 2 / fan_in), drawn from rng."""
    std = math.sqrt(2.0 / fan_in)
    W: np.ndarray = rng.normal(0.0, std, size=(fan_out, fan_in))
    return W


def thresholds(n: int, sigma: float) -> dict[str, float]:
    """The statistical thresholds for n draws of N(0, sigma**2) (each check's false failure <= DELTA)."""
    x = log_term()
    return {
        "mean": sigma * math.sqrt(2.0 * x / n),
        "chi2_low": n - 2.0 * math.sqrt(n * x),
        "chi2_high": n + 2.0 * math.sqrt(n * x) + 2.0 * x,
        "fraction": hoeffding_fraction(n),
    }


def _variants(fan_in: int, fan_out: int) -> list[tuple[float, str]]:
    """Variances of the classic mistakes, as ratios to the right variance 2 / fan_in."""
    return [
        (2.0 / fan_in,
         "the standard deviation is 2 / fan_in (the variance used as the std): the variance is 2 / fan_in, so the"
         " std is sqrt(2 / fan_in)"),
        (math.sqrt(fan_in / 2.0),
         "the variance is sqrt(2 / fan_in) (the std used as the variance): the std is sqrt(2 / fan_in)"),
        (fan_in / fan_out, "the variance uses fan_out: he_normal (fan_in mode) has variance 2 / fan_in"),
        (fan_in / (fan_in + fan_out),
         "the variance is Xavier's 2 / (fan_in + fan_out): He initialisation uses 2 / fan_in"),
        (0.5, "the variance is 1 / fan_in (LeCun, no ReLU gain): He initialisation uses 2 / fan_in"),
    ]


def check_he(W: np.ndarray, args: dict[str, object]) -> Verdict:
    """Mean, variance and two tail fractions on large draws."""
    fan_in, fan_out = int(args["fan_in"]), int(args["fan_out"])  # type: ignore[call-overload]
    sigma = math.sqrt(2.0 / fan_in)
    n = W.size
    out = Verdict()
    if n >= MIN_STAT_SIZE:
        t = thresholds(n, sigma)
        mean = float(np.mean(W))
        chi2 = n * float(np.mean(W * W)) / (sigma * sigma)
        within = float(np.mean(np.abs(W) < sigma))
        beyond = float(np.mean(np.abs(W) > 2.0 * sigma))
        out.checks.append(Stat("W mean", abs(mean) <= t["mean"],
                               f"W: mean {mean:.4g} over {n} values; expected 0 +- {t['mean']:.3g}"))
        out.checks.append(Stat("W variance", t["chi2_low"] <= chi2 <= t["chi2_high"],
                               f"W: mean of W**2 = {chi2 / n * sigma * sigma:.4g}; expected 2 / fan_in ="
                               f" {sigma * sigma:.4g} within a factor [{t['chi2_low'] / n:.3f},"
                               f" {t['chi2_high'] / n:.3f}]"))
        out.checks.append(Stat("W within 1 std", abs(within - P_WITHIN_1) <= t["fraction"],
                               f"W: fraction of |W| < sigma is {within:.4f}; a normal has {P_WITHIN_1:.4f} +-"
                               f" {t['fraction']:.4f}"))
        out.checks.append(Stat("W beyond 2 std", abs(beyond - P_BEYOND_2) <= t["fraction"],
                               f"W: fraction of |W| > 2 sigma is {beyond:.4f}; a normal has {P_BEYOND_2:.4f} +-"
                               f" {t['fraction']:.4f}"))
    if n >= 200:
        m2 = float(np.mean(W * W))
        if kurtosis(W) < 2.4:
            out.diagnoses.append(
                "W looks uniform, not normal: he_normal draws from N(0, 2 / fan_in), e.g."
                " rng.normal(0, sqrt(2 / fan_in), size=(fan_out, fan_in))"
            )
        if abs(float(np.mean(W))) > 0.5 * math.sqrt(m2):
            out.diagnoses.append("W is not centred at 0: draw from a normal with mean 0")
        out.diagnoses += matching(m2 / (sigma * sigma), _variants(fan_in, fan_out), 0.06)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Cases.


def _call(fan_in: int, fan_out: int, seed: int) -> Call:
    return Call("he_normal", {"fan_in": fan_in, "fan_out": fan_out, "rng": RngSeed(seed)})


_NOTE = (
    " Statistical checks (mean, variance, fractions within 1 std and beyond 2 std) each fail a correct draw with"
    " probability at most 1e-8; a grading makes fewer than 30, so a false failure has probability below 1e-6."
)


def _cases(rng: np.random.Generator) -> list[Case]:
    # The draws come from the candidate's code; the cases fix sizes and seeds. The sizes are fixed (each chosen
    # so that the classic mistakes' variances stand apart); the hidden calls' seeds are drawn from ``rng``, so every
    # grade judges other draws and the false-failure bound holds per grade.
    s = [int(v) for v in rng.choice(2**31, size=8, replace=False)]
    return [
        Case("example", (_call(5, 3, 1),), True,
             description="fan_in 5, fan_out 3: W has shape (3, 5), finite"),
        Case("statistics_example", (_call(128, 96, 2),), True,
             description="fan_in 128, fan_out 96 (12,288 values): mean near 0, variance near 2/128, normal"
             " tails." + _NOTE),
        Case("wide", (_call(48, 256, s[0]),), description="fan_in 48, fan_out 256." + _NOTE),
        Case("tall", (_call(300, 60, s[1]),), description="fan_in 300, fan_out 60." + _NOTE),
        Case("same_seed", (_call(64, 160, s[2]), _call(64, 160, s[2])),
             description="two calls with the same seed must return the same W." + _NOTE),
        Case("different_seeds", (_call(200, 50, s[3]), _call(200, 50, s[4])),
             description="two calls with different seeds must return different W's." + _NOTE),
        Case("single_input", (_call(1, 6, s[5]),), description="fan_in 1: W has shape (6, 1)"),
        Case("single_output", (_call(10, 1, s[6]),), description="fan_out 1: W has shape (1, 10)"),
    ]


TASK = Task(
    id="he_normal",
    title="He (Kaiming) normal initialisation",
    functions=(FunctionSpec("he_normal", params("fan_in", "fan_out", "rng"), ("W",)),),
    reference={"he_normal": he_normal},
    make_cases=_cases,
    custom_judge=make_judge("he_normal", check_he),
)
