"""Task ``xavier_uniform``: Xavier/Glorot uniform initialisation, as torch.nn.init.xavier_uniform_.

W has shape (fan_out, fan_in) (torch.nn.Linear's layout) and is drawn from U(-a, a) with
a = gain * sqrt(6 / (fan_in + fan_out)), using the ``rng`` argument (a numpy Generator) alone.

The draw is random, so it is graded by properties and statistics, never by exact values (a custom judge):

* every call: W is a floating array of shape (fan_out, fan_in), finite, and max|W| <= a (with a relative slack of
  1e-6 for float32 rounding). A correct draw never fails these;
* calls with n = fan_in * fan_out >= MIN_STAT_SIZE elements, three statistical checks, each failing a correct
  submission with probability at most DELTA = 1e-8 (Hoeffding's inequality for n independent bounded values):
  - mean: |mean(W)| <= a * sqrt(2 ln(2/DELTA) / n)            (W in [-a, a], range 2a)
  - second moment: |mean(W**2) - a**2 / 3| <= a**2 * sqrt(ln(2/DELTA) / (2n))      (W**2 in [0, a**2])
  - uniformity: the fraction of |W| > a/2 is within sqrt(ln(2/DELTA) / (2n)) of 1/2 (Bernoulli draws)
  A grading makes fewer than 30 such checks (test_xavier_uniform counts them), so a correct submission is rejected
  with probability below 30 * 1e-8 = 3e-7 < 1e-6;
* two calls with the same seed return the same W, two with different seeds different W's.

The classic mistakes fail with overwhelming probability: a normal draw exceeds a somewhere (P(|Z| > sqrt 3) = 0.083
per element at Xavier-normal's std, so all of 9,000 elements stay inside with probability below 1e-300); a bound
larger than a (fan_in only, fan_out only, gain ignored with gain < 1) exceeds it almost surely; a smaller bound
(gain ignored with gain > 1, the std used as the bound) fails the second moment by many standard deviations;
a swapped shape fails the shape check; np.random's global state fails the same-seed check.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.report import OutputCheck
from engine.task import Call, CallResult, Case, FunctionSpec, Judgement, RngSeed, Task
from engine.tasks._util import params

DELTA = 1e-8  # false-failure probability of each statistical check
MIN_STAT_SIZE = 8000  # statistics are checked only on draws at least this large
BOUND_SLACK = 1e-6  # relative slack on the bound, for float32 rounding
# A diagnosis names a mistaken bound when W's bound estimate sqrt(3 mean(W**2)) is within 2.5% of it; the estimate's
# relative standard deviation is 0.45 / sqrt(n) <= 0.5% on the statistical cases.
MATCH_BAND = 0.025


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """W (fan_out, fan_in) ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)), drawn from rng."""
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    W: np.ndarray = rng.uniform(-a, a, size=(fan_out, fan_in))
    return W


def bound(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """The half-width a of the uniform distribution."""
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


def log_term(delta: float = DELTA) -> float:
    """ln(2 / delta): the exponent that sets every two-sided threshold."""
    return math.log(2.0 / delta)


def hoeffding_fraction(n: int, delta: float = DELTA) -> float:
    """The t with 2 exp(-2 n t**2) = delta: a fraction of n Bernoulli draws further than t from p fails."""
    return math.sqrt(log_term(delta) / (2.0 * n))


# ---------------------------------------------------------------------------------------------------------------
# A judge shared by the initialisation tasks (he_normal uses it too).


@dataclass
class Stat:
    """One statistical or property check on a draw."""

    name: str
    ok: bool
    message: str


@dataclass
class Verdict:
    """The checks and diagnoses of one draw."""

    checks: list[Stat] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)


# A distribution check: (W as float64, the call's args) -> checks and diagnoses.
DistributionCheck = Callable[[np.ndarray, dict[str, object]], Verdict]


def _draw_problem(function: str, result: CallResult) -> tuple[np.ndarray | None, str | None, str | None, bool]:
    """(W, failure message, diagnosis, invalid) for the structural checks of one call."""
    args = result.call.args
    fan_in, fan_out = int(args["fan_in"]), int(args["fan_out"])
    value = result.value
    if not isinstance(value, np.ndarray):
        what = "a tuple" if isinstance(value, tuple | list) else type(value).__name__
        return None, f"{function} must return one array W; got {what}", None, True
    if value.dtype.kind != "f":
        return None, f"W: dtype {value.dtype}, expected a floating-point array", None, False
    if value.shape != (fan_out, fan_in):
        diagnosis = None
        if value.shape == (fan_in, fan_out):
            diagnosis = (
                "W has shape (fan_in, fan_out): torch.nn.Linear stores its weight as (fan_out, fan_in), so W must"
                " have shape (fan_out, fan_in)"
            )
        message = f"W: shape {tuple(value.shape)}, expected (fan_out, fan_in) = {(fan_out, fan_in)}"
        return None, message, diagnosis, False
    if not np.all(np.isfinite(value)):
        return None, "W: NaN or inf values", None, False
    return value.astype(np.float64), None, None, False


def make_judge(function: str, distribution: DistributionCheck) -> Callable[[Case, Sequence[CallResult]], Judgement]:
    """A custom judge for an initialisation function: structure, distribution, and seed behaviour."""

    def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
        total = Judgement(ok=True)
        messages: list[str] = []

        def fail(name: str, message: str, diagnosis: str | None = None) -> None:
            total.ok = False
            total.checks.append(OutputCheck(name=name, ok=False, message=message))
            messages.append(message)
            if diagnosis and diagnosis not in total.diagnoses:
                total.diagnoses.append(diagnosis)

        draws: list[tuple[CallResult, np.ndarray]] = []
        for r in results:
            if r.mutated:
                fail("W", f"modified {', '.join(r.mutated)}",
                     f"{function} modified its input {', '.join(r.mutated)} in place")
            W, problem, diagnosis, invalid = _draw_problem(function, r)
            if problem is not None or W is None:
                total.invalid = total.invalid or invalid
                fail("W", problem or "W: unusable", diagnosis)
                continue
            draws.append((r, W))
            verdict = distribution(W, dict(r.call.args))
            for check in verdict.checks:
                total.checks.append(OutputCheck(name=check.name, ok=check.ok, message=check.message))
                if not check.ok:
                    total.ok = False
                    messages.append(check.message)
            if any(not c.ok for c in verdict.checks):
                total.diagnoses.extend(d for d in verdict.diagnoses if d not in total.diagnoses)
        for i, (r1, w1) in enumerate(draws):
            for r2, w2 in draws[i + 1 :]:
                if w1.shape != w2.shape:
                    continue
                same_seed = r1.call.args["rng"] == r2.call.args["rng"]
                equal = bool(np.array_equal(w1, w2))
                if same_seed and not equal:
                    fail("W", "W: the same seed gave two different draws",
                         "W is not drawn from rng: the same seed must give the same W; draw it with the rng argument"
                         " (e.g. rng.uniform / rng.normal), never np.random's global functions")
                elif not same_seed and equal:
                    fail("W", "W: two different seeds gave the same draw",
                         "W does not depend on rng: draw it from the rng argument, not from a fixed generator")
        total.message = "; ".join(messages)
        return total

    return judge


def kurtosis(W: np.ndarray) -> float:
    """mean(W**4) / mean(W**2)**2: 1.8 for a uniform, 3 for a normal (about zero mean)."""
    m2 = float(np.mean(W * W))
    return float(np.mean(W**4)) / (m2 * m2) if m2 > 0 else float("nan")


def matching(ratio: float, variants: Sequence[tuple[float, str]], rel: float) -> list[str]:
    """The sentences whose factor is within ``rel`` (relative) of ``ratio``."""
    return [text for factor, text in variants if factor > 0 and abs(ratio / factor - 1.0) <= rel]


# ---------------------------------------------------------------------------------------------------------------
# Xavier's distribution checks.


def thresholds(n: int, a: float) -> dict[str, float]:
    """The statistical thresholds for n draws of U(-a, a) (each check's false failure <= DELTA)."""
    return {
        "mean": a * math.sqrt(2.0 * log_term() / n),
        "second_moment": a * a * math.sqrt(log_term() / (2.0 * n)),
        "outer_fraction": hoeffding_fraction(n),
    }


def _variants(fan_in: int, fan_out: int, gain: float) -> list[tuple[float, str]]:
    """Bounds of the classic mistakes, as ratios to the right bound a."""
    a = bound(fan_in, fan_out, gain)
    out = [
        (gain * math.sqrt(6.0 / fan_in) / a,
         "the bound uses fan_in only (sqrt(6 / fan_in), He/Kaiming uniform): Xavier's bound is"
         " gain * sqrt(6 / (fan_in + fan_out))"),
        (gain * math.sqrt(3.0 / fan_in) / a,
         "the bound is sqrt(3 / fan_in) (LeCun uniform): Xavier's bound is gain * sqrt(6 / (fan_in + fan_out))"),
        (gain * math.sqrt(6.0 / fan_out) / a,
         "the bound uses fan_out only: Xavier's bound is gain * sqrt(6 / (fan_in + fan_out))"),
        (gain * math.sqrt(2.0 / (fan_in + fan_out)) / a,
         "the bound is the Xavier-normal standard deviation sqrt(2 / (fan_in + fan_out)): the uniform's"
         " half-width is sqrt(6 / (fan_in + fan_out)) (its variance a**2 / 3 then equals 2 / (fan_in + fan_out))"),
        (gain * 6.0 / (fan_in + fan_out) / a,
         "the bound is missing its square root: a = gain * sqrt(6 / (fan_in + fan_out))"),
    ]
    if gain != 1.0:
        out.append((1.0 / gain, "gain is ignored: the bound is gain * sqrt(6 / (fan_in + fan_out))"))
        out.append((gain, "gain is applied twice (gain**2): the bound is gain * sqrt(6 / (fan_in + fan_out))"))
    return out


def check_xavier(W: np.ndarray, args: dict[str, object]) -> Verdict:
    """Bound always; mean, second moment and uniformity on large draws."""
    fan_in, fan_out = int(args["fan_in"]), int(args["fan_out"])  # type: ignore[call-overload]
    gain = float(args.get("gain", 1.0))  # type: ignore[arg-type]
    a = bound(fan_in, fan_out, gain)
    n = W.size
    out = Verdict()
    top = float(np.max(np.abs(W)))
    out.checks.append(Stat("W bound", top <= a * (1.0 + BOUND_SLACK),
                           f"W: max|W| = {top:.5g} exceeds the bound a = {a:.5g}"))
    if n >= MIN_STAT_SIZE:
        t = thresholds(n, a)
        mean = float(np.mean(W))
        m2 = float(np.mean(W * W))
        outer = float(np.mean(np.abs(W) > a / 2.0))
        out.checks.append(Stat("W mean", abs(mean) <= t["mean"],
                               f"W: mean {mean:.4g} over {n} values; expected 0 +- {t['mean']:.3g}"))
        out.checks.append(Stat("W second moment", abs(m2 - a * a / 3.0) <= t["second_moment"],
                               f"W: mean of W**2 = {m2:.4g}; expected a**2/3 = {a * a / 3.0:.4g} +-"
                               f" {t['second_moment']:.3g}"))
        out.checks.append(Stat("W uniformity", abs(outer - 0.5) <= t["outer_fraction"],
                               f"W: fraction of |W| > a/2 is {outer:.4f}; expected 0.5 +- {t['outer_fraction']:.4f}"))
    # Diagnoses (used only when a check failed).
    m2 = float(np.mean(W * W))
    rho = math.sqrt(3.0 * m2) / a  # the half-width of a uniform with W's second moment, relative to a
    if n >= 200 and kurtosis(W) > 2.4:
        out.diagnoses.append(
            "W looks normally distributed, not uniform: xavier_uniform draws from U(-a, a), e.g."
            " rng.uniform(-a, a, size=(fan_out, fan_in))"
        )
    if n >= 200:
        if abs(float(np.mean(W))) > 0.25 * a and float(np.min(W)) >= -a * 0.05:
            out.diagnoses.append("W is not centred at 0 (all values positive): draw from U(-a, a), not U(0, a)")
        else:
            out.diagnoses += matching(rho, _variants(fan_in, fan_out, gain), MATCH_BAND)
    return out


# ---------------------------------------------------------------------------------------------------------------
# Cases.


def _call(fan_in: int, fan_out: int, seed: int, gain: float | None = None) -> Call:
    args: dict[str, object] = {"fan_in": fan_in, "fan_out": fan_out, "rng": RngSeed(seed)}
    if gain is not None:
        args["gain"] = gain
    return Call("xavier_uniform", args)


_NOTE = (
    " Statistical checks (mean, mean of W**2, fraction of |W| > a/2) each fail a correct draw with probability at"
    " most 1e-8 (Hoeffding); a grading makes fewer than 30, so a false failure has probability below 1e-6."
)


def _cases(rng: np.random.Generator) -> list[Case]:
    # The draws come from the candidate's code; the cases fix sizes, gains and seeds. The sizes are fixed (each chosen
    # so that the classic mistakes' variances stand apart); the hidden calls' seeds are drawn from ``rng``, so every
    # grade judges other draws and the false-failure bound holds per grade.
    s = [int(v) for v in rng.choice(2**31, size=8, replace=False)]
    return [
        Case("example", (_call(4, 3, 1),), True,
             description="fan_in 4, fan_out 3, default gain: W has shape (3, 4) and |W| <= a = sqrt(6/7)"),
        Case("statistics_example", (_call(64, 192, 2),), True,
             description="fan_in 64, fan_out 192 (12,288 values), default gain: |W| <= a = sqrt(6/256), mean near"
             " 0, mean of W**2 near a**2/3, half the values beyond a/2." + _NOTE),
        Case("relu_gain", (_call(256, 64, s[0], math.sqrt(2.0)),),
             description="fan_in 256, fan_out 64, gain sqrt(2) (ReLU)." + _NOTE),
        Case("tanh_gain", (_call(100, 150, s[1], 5.0 / 3.0),),
             description="fan_in 100, fan_out 150, gain 5/3 (tanh)." + _NOTE),
        Case("small_gain", (_call(128, 72, s[2], 0.5),),
             description="fan_in 128, fan_out 72, gain 0.5." + _NOTE),
        Case("same_seed", (_call(96, 128, s[3]), _call(96, 128, s[3])),
             description="two calls with the same seed must return the same W." + _NOTE),
        Case("different_seeds", (_call(80, 120, s[4], 1.0), _call(80, 120, s[5], 1.0)),
             description="two calls with different seeds must return different W's." + _NOTE),
        Case("single_input", (_call(1, 7, s[6]),), description="fan_in 1: W has shape (7, 1)"),
        Case("single_output", (_call(9, 1, s[7], 2.0),), description="fan_out 1, gain 2: W has shape (1, 9)"),
    ]


TASK = Task(
    id="xavier_uniform",
    title="Xavier (Glorot) uniform initialisation",
    functions=(FunctionSpec("xavier_uniform", params("fan_in", "fan_out", "rng", gain="1.0"), ("W",)),),
    reference={"xavier_uniform": xavier_uniform},
    make_cases=_cases,
    custom_judge=make_judge("xavier_uniform", check_xavier),
)
