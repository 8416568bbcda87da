"""Task ``dropout``: inverted dropout, p = probability of DROPPING an element, mask drawn from ``rng``.

The forward is random, so it is judged by properties, never by exact draws (a custom judge):

* train mode: ``mask`` has x's shape and only 0/1 (or boolean) values; ``y == x * mask / (1 - p)`` for the
  candidate's own mask; on large inputs the kept fraction agrees with ``1 - p`` (Hoeffding bound below); the same
  seed gives the same mask, different seeds different masks; ``p = 0`` keeps everything;
* eval mode: ``y`` equals ``x`` and ``mask`` is all True.

Statistical check. With n independent keep/drop draws of keep probability q = 1 - p, Hoeffding's inequality
gives P(|kept fraction - q| >= t) <= 2 exp(-2 n t^2). The threshold is t(n) = sqrt(ln(2 / DELTA) / (2 n)) with
DELTA = 1e-8, so each check fails a correct submission with probability at most 1e-8; a grading makes fewer than
ten such checks (inputs of 24,000 elements, t ~= 0.020), so a correct submission is rejected with probability
below 1e-7 < 1e-6. The p values (0.2 and 0.7) put keep-with-probability-p mistakes 0.6 and 0.4 away from 1 - p.

``dropout_backward`` is deterministic (dx = dy * mask / (1 - p) for a given boolean mask) and judged as usual.
There is no numerical cross-check link: the backward receives a mask, not the seed the forward drew it from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.compare import compare
from engine.judge import judge_call, split_outputs
from engine.report import OutputCheck
from engine.task import Call, CallResult, Case, DiagnosisContext, FunctionSpec, Judgement, RngSeed, Task
from engine.tasks._util import normal, params, upstream

DELTA = 1e-8  # false-failure probability allowed per statistical check
MIN_STAT_SIZE = 20_000  # the kept fraction is checked only on inputs at least this large
TOLERANCE = 1e-4


def dropout_forward(
    x: np.ndarray, p: float, train: bool, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """x (any shape) -> (y, mask), mask boolean of x's shape, True = kept; y = x * mask / (1 - p) in train mode."""
    x = np.asarray(x, dtype=np.float64)
    if not train:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = rng.random(x.shape) >= p
    return x * mask / (1.0 - p), mask


def dropout_backward(dy: np.ndarray, mask: np.ndarray, p: float) -> np.ndarray:
    """dy, mask (same shape) -> dx = dy * mask / (1 - p)."""
    out: np.ndarray = dy * mask / (1.0 - p)
    return out


def hoeffding_threshold(n: int, delta: float = DELTA) -> float:
    """The t with 2 exp(-2 n t^2) = delta: a kept fraction further than t from 1 - p fails the check."""
    return math.sqrt(math.log(2.0 / delta) / (2.0 * n))


# ---------------------------------------------------------------------------------------------------------------
# The custom judge.


class _Forward:
    """What one forward call returned, once checked: its boolean mask when that mask is usable."""

    def __init__(self) -> None:
        self.ok = True
        self.invalid = False
        self.checks: list[OutputCheck] = []
        self.diagnoses: list[str] = []
        self.messages: list[str] = []
        self.keep: np.ndarray | None = None

    def fail(self, name: str, message: str, diagnosis: str | None = None) -> None:
        self.ok = False
        self.checks.append(OutputCheck(name=name, ok=False, message=message))
        self.messages.append(message)
        if diagnosis and diagnosis not in self.diagnoses:
            self.diagnoses.append(diagnosis)


def _check_mask_values(mask: np.ndarray, p: float, out: _Forward) -> np.ndarray | None:
    """The mask as booleans if it holds only 0/1 (or booleans); else record why not and return None."""
    if mask.dtype.kind == "b":
        keep: np.ndarray = mask.astype(bool)
        return keep
    if mask.dtype.kind not in "iuf":
        out.fail("mask", f"mask: dtype {mask.dtype}; expected boolean or 0/1 numbers", None)
        return None
    values = mask.astype(np.float64)
    if np.all((values == 0.0) | (values == 1.0)):
        ones: np.ndarray = values == 1.0
        return ones
    scaled = np.all(np.isclose(values, 0.0) | np.isclose(values, 1.0 / (1.0 - p)))
    out.fail(
        "mask",
        "mask: values other than 0 and 1",
        "mask holds the scaled values 1/(1 - p): return the 0/1 (or boolean) keep mask, True = kept"
        if scaled
        else "mask must hold only 0/1 or booleans (True = kept)",
    )
    return None


def _scaling_mistake(x: np.ndarray, y: np.ndarray, keep: np.ndarray, p: float) -> str | None:
    if diagnose.close(y, x * keep) and p > 0:
        return "y is not scaled: inverted dropout divides the kept values by (1 - p) in train mode"
    if diagnose.close(y, x * keep * (1.0 - p)) and p > 0:
        return "y is multiplied by (1 - p); inverted dropout divides the kept values by (1 - p)"
    if p > 0 and diagnose.close(y, x * keep / p):
        return "y is divided by p; p is the drop probability, so divide the kept values by (1 - p)"
    if diagnose.close(y, x * ~keep / (1.0 - p)):
        return "mask marks the dropped elements: True (1) must mean kept, and y = x * mask / (1 - p)"
    return None


def _judge_forward(result: CallResult) -> _Forward:
    out = _Forward()
    args = result.call.args
    x = np.asarray(args["x"], dtype=np.float64)
    p = float(args["p"])
    named, problem = split_outputs(TASK.function("dropout_forward"), result.value)
    if problem:
        out.ok, out.invalid = False, True
        out.messages.append(problem)
        return out
    if result.mutated:
        out.fail(
            "x",
            f"modified {', '.join(result.mutated)} in place",
            f"dropout_forward modified its input {', '.join(result.mutated)} in place; functions must not change"
            " their inputs (work on a copy)",
        )
    y, mask = named.get("y"), named.get("mask")
    if y is None or mask is None:
        out.fail("y" if y is None else "mask", "no value returned (got None)")
        return out
    if mask.shape != x.shape:
        out.fail("mask", f"mask: shape {tuple(mask.shape)}, expected x's shape {tuple(x.shape)}",
                 "mask must be an array of x's shape (one keep/drop decision per element)")
        return out
    keep = _check_mask_values(mask, p, out)
    if not args["train"]:
        check = compare("y", x, y, TOLERANCE)
        out.checks.append(check)
        if not check.ok:
            out.ok = False
            out.messages.append(check.message)
            if p > 0 and diagnose.close(y, x * (1.0 - p)):
                out.diagnoses.append(
                    "eval mode scales y by (1 - p): with inverted dropout, eval returns x unchanged"
                )
            else:
                out.diagnoses.append(
                    "dropout is active in eval mode: with train=False, y must equal x (nothing dropped or scaled)"
                )
        if keep is not None and not keep.all():
            out.fail("mask", "mask: not all True in eval mode", "in eval mode the mask must be all True")
        return out
    if keep is None:
        return out
    out.keep = keep
    check = compare("y", x * keep / (1.0 - p), y, TOLERANCE)
    out.checks.append(check)
    if not check.ok:
        out.ok = False
        out.messages.append(check.message + " (expected x * mask / (1 - p) with your mask)")
        found = _scaling_mistake(x, y.astype(np.float64), keep, p)
        if found:
            out.diagnoses.append(found)
    if p == 0.0 and not keep.all():
        out.fail("mask", "mask: elements dropped with p = 0", "with p = 0 nothing may be dropped: keep every element")
    elif x.size >= MIN_STAT_SIZE:
        fraction = float(keep.mean())
        t = hoeffding_threshold(x.size)
        if abs(fraction - (1.0 - p)) > t:
            if abs(fraction - p) <= t:
                why = (
                    "the mask keeps elements with probability p: p is the probability of DROPPING an element,"
                    " keep with probability 1 - p"
                )
            else:
                why = "the kept fraction is far from 1 - p: keep each element independently with probability 1 - p"
            out.fail(
                "mask",
                f"mask: kept fraction {fraction:.4f} over {x.size} elements; expected {1.0 - p:.4f} +- {t:.4f}",
                why,
            )
    return out


def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
    """Judge a dropout case: forward calls by properties, backward calls against the reference."""
    total = Judgement(ok=True)
    messages: list[str] = []

    def merge(ok: bool, invalid: bool, checks: list[OutputCheck], diagnoses: list[str], message: str) -> None:
        total.ok = total.ok and ok
        total.invalid = total.invalid or invalid
        total.checks.extend(checks)
        total.diagnoses.extend(d for d in diagnoses if d not in total.diagnoses)
        if message:
            messages.append(message)

    forwards: list[tuple[CallResult, _Forward]] = []
    for r in results:
        if r.call.function == "dropout_forward":
            f = _judge_forward(r)
            forwards.append((r, f))
            merge(f.ok, f.invalid, f.checks, f.diagnoses, "; ".join(f.messages))
        else:
            j = judge_call(TASK, r)
            merge(j.ok, j.invalid, j.checks, j.diagnoses, j.message)
    trained = [(r, f) for r, f in forwards if r.call.args["train"] and f.keep is not None]
    for i, (r1, f1) in enumerate(trained):
        for r2, f2 in trained[i + 1 :]:
            assert f1.keep is not None and f2.keep is not None
            if f1.keep.shape != f2.keep.shape:
                continue
            same_seed = r1.call.args["rng"] == r2.call.args["rng"]
            equal = bool(np.array_equal(f1.keep, f2.keep))
            if same_seed and not equal:
                message = "mask: the same seed gave two different masks"
                diagnosis = (
                    "the mask is not drawn from rng: the same seed must give the same mask; draw it with the rng"
                    " argument (e.g. rng.random(x.shape)), not np.random"
                )
            elif same_seed or not equal:
                continue
            else:
                message = "mask: two different seeds gave the same mask"
                diagnosis = "the mask does not depend on rng: draw it from the rng argument, not a fixed generator"
            merge(False, False, [OutputCheck(name="mask", ok=False, message=message)], [diagnosis], message)
    total.message = "; ".join(messages)
    return total


# ---------------------------------------------------------------------------------------------------------------
# Backward detectors.


def _backward_scaling(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("dx")
    dy, mask, p = ctx.call.args["dy"], np.asarray(ctx.call.args["mask"], dtype=bool), float(ctx.call.args["p"])
    if got is None or got.shape != dy.shape:
        return None
    if p > 0 and diagnose.close(got, dy * mask):
        return "dx is not divided by (1 - p): the backward scales the kept gradients as the forward scaled y"
    if p > 0 and diagnose.close(got, dy * mask * (1.0 - p)):
        return "dx is multiplied by (1 - p); divide by (1 - p) as the forward does"
    if p > 0 and diagnose.close(got, dy * mask / p):
        return "dx is divided by p; p is the drop probability, so divide by (1 - p)"
    if diagnose.close(got, dy * ~mask / (1.0 - p)):
        return "dx keeps the gradient of the dropped elements: pass dy only where mask is True (kept)"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Cases.

_STAT_NOTE = (
    " The kept fraction must be within t = sqrt(ln(2/1e-8) / (2n)) of 1 - p (Hoeffding: a correct mask fails with"
    " probability below 1e-8)."
)


def _forward(x: np.ndarray, p: float, train: bool, seed: int) -> Call:
    return Call("dropout_forward", {"x": x, "p": p, "train": train, "rng": RngSeed(seed)})


def _backward(rng: np.random.Generator, shape: tuple[int, ...], p: float) -> Call:
    mask = rng.random(shape) >= p
    if p > 0 and mask.size > 1 and (mask.all() or not mask.any()):
        mask.flat[0] = not mask.flat[0]  # some kept and some dropped (an all-dropped mask hides every mistake)
    return Call("dropout_backward", {"dy": upstream(rng, *shape), "mask": mask, "p": p})


def _cases(rng: np.random.Generator) -> list[Case]:
    # The hidden calls' generator seeds are drawn from a child of ``rng`` (which leaves rng's own draws, and so the
    # visible examples, as they were): every grade judges other masks, so the statistical checks' false-failure bound
    # holds per grade.
    s = [int(v) for v in rng.spawn(1)[0].choice(2**31, size=6, replace=False)]
    big = normal(rng, 120, 200)
    return [
        Case("train_example", (_forward(normal(rng, 3, 4), 0.2, True, 11),), True,
             description="train mode, p = 0.2: y = x * mask / (1 - p) for your mask, mask of 0/1 or booleans"),
        Case("backward_example", (_backward(rng, (3, 4), 0.2),), True,
             description="backward with a given boolean mask, p = 0.2"),
        Case("eval_example", (_forward(normal(rng, 2, 5), 0.7, False, s[1]),),
             description="eval mode, p = 0.7: y equals x and the mask is all True"),
        Case("eval_3d", (_forward(normal(rng, 3, 4, 5), 0.2, False, s[0]),),
             description="eval mode on a 3-D input"),
        Case("train_p0", (_forward(normal(rng, 6, 7), 0.0, True, s[1]),),
             description="train mode with p = 0: nothing is dropped and y equals x"),
        Case("train_p02_large", (_forward(normal(rng, 150, 160), 0.2, True, s[2]),),
             description="train mode, p = 0.2, 24,000 elements: the kept fraction is close to 0.8." + _STAT_NOTE),
        Case("train_p07_large", (_forward(normal(rng, 40, 25, 24), 0.7, True, s[3]),),
             description="train mode, p = 0.7, a 3-D input of 24,000 elements: the kept fraction is close to 0.3."
             + _STAT_NOTE),
        Case("same_seed", (_forward(big, 0.2, True, s[4]), _forward(big, 0.2, True, s[4])),
             description="two calls with the same seed must return the same mask." + _STAT_NOTE),
        Case("different_seeds", (_forward(big, 0.7, True, s[5]), _forward(big, 0.7, True, s[0])),
             description="two calls with different seeds must return different masks." + _STAT_NOTE),
        Case("backward_batch1", (_backward(rng, (1, 9), 0.7),), description="backward, a batch of one, p = 0.7"),
        Case("backward_3d", (_backward(rng, (2, 3, 4), 0.7),), description="backward on a 3-D input, p = 0.7"),
        Case("backward_p0", (_backward(rng, (4, 5), 0.0),), description="backward with p = 0"),
    ]


TASK = Task(
    id="dropout",
    title="Inverted dropout, train and eval",
    functions=(
        FunctionSpec("dropout_forward", params("x", "p", "train", "rng"), ("y", "mask")),
        FunctionSpec("dropout_backward", params("dy", "mask", "p"), ("dx",)),
    ),
    reference={"dropout_forward": dropout_forward, "dropout_backward": dropout_backward},
    make_cases=_cases,
    detectors={
        "dropout_backward": (_backward_scaling, diagnose.upstream_ignored("dx")),
    },
    custom_judge=judge,
)
