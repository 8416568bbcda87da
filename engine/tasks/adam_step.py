"""Task ``adam_step``: one step of Adam, as torch.optim.Adam (L2 weight decay coupled into the gradient).

    g         = grad + weight_decay * param
    new_m     = beta1 * m + (1 - beta1) * g
    new_v     = beta2 * v + (1 - beta2) * g**2
    m_hat     = new_m / (1 - beta1**t)          t = the 1-based count of THIS step (1 on the first step)
    v_hat     = new_v / (1 - beta2**t)
    new_param = param - lr * m_hat / (sqrt(v_hat) + eps)

The cases are chosen so that each classic mistake fails at least one of them by ten tolerances or more (the
test-suite checks it): t = 1, 2 and 3 (where the bias correction and an off-by-one t matter most) and t = 50 and
1000 (where the beta2 correction still matters), lr up to 0.1 so that a wrong step shows against a parameter of
order 1, a case with tiny gradients (|g| ~ 1e-4) where eps inside the square root changes the step by a third, and
L2 weight decay 0.1 to 0.5 where it is tested. One case keeps every default (lr 1e-3), where a wrong step is only a
few tolerances off; it checks the defaults.

Diagnoses compare whole steps: a mistake is named when the submission's (param - new_param, new_m, new_v) agree
with what the mistake computes to 0.2% of their own scale (no floor of 1: moments can be tiny).

The variant helpers here are shared with ``adamw_step``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine.task import Call, Case, Detector, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Adam step; t is the 1-based step count. Returns (new_param, new_m, new_v)."""
    g = grad + weight_decay * param
    new_m = beta1 * m + (1.0 - beta1) * g
    new_v = beta2 * v + (1.0 - beta2) * g * g
    m_hat = new_m / (1.0 - beta1**t)
    v_hat = new_v / (1.0 - beta2**t)
    new_param = param - lr * m_hat / (np.sqrt(v_hat) + eps)
    return new_param, new_m, new_v


# ---------------------------------------------------------------------------------------------------------------
# Variants: what the classic mistakes compute. ``decoupled`` selects AdamW's decay (shared with adamw_step).

_DEFAULTS: dict[str, Any] = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def call_args(ctx: DiagnosisContext, default_decay: float) -> dict[str, Any]:
    """The failing call's arguments as float64 arrays and floats, with the defaults filled in."""
    a = dict(_DEFAULTS, weight_decay=default_decay)
    a.update(ctx.call.args)
    for k in ("param", "grad", "m", "v"):
        a[k] = np.asarray(a[k], dtype=np.float64)
    return a


def variant(
    a: dict[str, Any],
    *,
    decoupled: bool,
    decay_after: bool = False,
    decay_without_lr: bool = False,
    correct_m: bool = True,
    correct_v: bool = True,
    eps_inside: bool = False,
    t_shift: int = 0,
    square: bool = True,
    sign: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An Adam/AdamW step with one or more deliberate mistakes switched on."""
    p, grad, m, v = a["param"], a["grad"], a["m"], a["v"]
    lr, b1, b2 = float(a["lr"]), float(a["beta1"]), float(a["beta2"])
    eps, wd = float(a["eps"]), float(a["weight_decay"])
    t = int(a["t"]) + t_shift
    shrink = 1.0 - (wd if decay_without_lr else lr * wd)
    if decoupled:
        g = grad
        start = p if decay_after else p * shrink
    else:
        g = grad + wd * p
        start = p
    new_m = b1 * m + (1.0 - b1) * g
    new_v = b2 * v + (1.0 - b2) * (g * g if square else g)
    with np.errstate(all="ignore"):
        m_hat = new_m / (1.0 - b1**t) if correct_m else new_m
        v_hat = new_v / (1.0 - b2**t) if correct_v else new_v
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        new_param = start - sign * lr * m_hat / denom
    if decoupled and decay_after:
        new_param = new_param * shrink
    return new_param, new_m, new_v


Triple = tuple[np.ndarray, np.ndarray, np.ndarray]

NEAR = 2e-3  # a variant matches when the output agrees with it to 0.2% of the variant's own scale ...
APART = 2e-2  # ... and the variant differs from the reference by more than 2% of the reference's scale


def _gap(got: np.ndarray | None, model: np.ndarray, scale_of: np.ndarray) -> float:
    """max|got - model| relative to max|scale_of| (no floor of 1: moments and steps can be tiny); inf if unusable."""
    if got is None or got.shape != model.shape or not np.all(np.isfinite(got)) or not np.all(np.isfinite(model)):
        return float("inf")
    scale = max(float(np.max(np.abs(scale_of), initial=0.0)), 1e-300)
    return float(np.max(np.abs(got.astype(np.float64) - model), initial=0.0)) / scale


def near(got: np.ndarray | None, model: np.ndarray) -> bool:
    """``got`` agrees with ``model`` relative to ``model``'s own magnitude."""
    return _gap(got, model, model) <= NEAR


def apart(model: np.ndarray, expected: np.ndarray) -> bool:
    """``model`` differs from ``expected`` clearly, relative to ``expected``'s magnitude."""
    return _gap(model, expected, expected) > APART


def step_mistakes(a: dict[str, Any], decoupled: bool) -> list[tuple[Triple, str]]:
    """(new_param, new_m, new_v) under the mistakes Adam and AdamW share: bias correction, eps, t, sign."""
    out: list[tuple[Triple, str]] = [
        (variant(a, decoupled=decoupled, correct_m=False, correct_v=False),
         "new_param has no bias correction: divide new_m by (1 - beta1**t) and new_v by (1 - beta2**t)"),
        (variant(a, decoupled=decoupled, correct_v=False),
         "only m is bias-corrected: v_hat = new_v / (1 - beta2**t) too"),
        (variant(a, decoupled=decoupled, correct_m=False),
         "only v is bias-corrected: m_hat = new_m / (1 - beta1**t) too"),
        (variant(a, decoupled=decoupled, eps_inside=True),
         "eps is inside the square root: the denominator is sqrt(v_hat) + eps, not sqrt(v_hat + eps)"),
        (variant(a, decoupled=decoupled, t_shift=1),
         "the bias correction uses t + 1: t is already the 1-based count of this step (t = 1 on the first step)"),
        (variant(a, decoupled=decoupled, sign=-1.0),
         "new_param moves up the gradient: subtract lr * m_hat / (sqrt(v_hat) + eps)"),
    ]
    t = int(a["t"])
    if t >= 2:
        out.append((variant(a, decoupled=decoupled, t_shift=-1),
                    "the bias correction uses t - 1: t is the 1-based count of this step, use beta**t"))
        out.append((variant(a, decoupled=decoupled, t_shift=1 - t),
                    "the bias correction divides by 1 - beta (a fixed exponent of 1): it is 1 - beta**t, which"
                    " changes with the step count t"))
    return out


def step_detector(default_decay: float, mistakes: Callable[[dict[str, Any]], list[tuple[Triple, str]]]) -> Detector:
    """Names a mistake whose whole step (new_param as param - step, new_m, new_v) the submission reproduced."""

    def detect(ctx: DiagnosisContext) -> str | None:
        a = call_args(ctx, default_decay)
        got = (ctx.got.get("new_param"), ctx.got.get("new_m"), ctx.got.get("new_v"))
        exp = tuple(np.asarray(ctx.expected[k], dtype=np.float64) for k in ("new_param", "new_m", "new_v"))
        p = a["param"]
        got_step = None if got[0] is None or got[0].shape != p.shape else p - got[0].astype(np.float64)
        found: list[str] = []
        for model, text in mistakes(a):
            model_step = p - model[0]
            if not (near(got_step, model_step) and near(got[1], model[1]) and near(got[2], model[2])):
                continue
            if (apart(model_step, p - exp[0]) or apart(model[1], exp[1]) or apart(model[2], exp[2])) and (
                text not in found
            ):
                found.append(text)
        return " or ".join(found) if found else None

    return detect


def moment_detector(output: str, default_decay: float, decoupled: bool) -> Detector:
    """Names a mistake in the moment update of ``output`` ("new_m" or "new_v")."""

    def detect(ctx: DiagnosisContext) -> str | None:
        a = call_args(ctx, default_decay)
        got, exp = ctx.got.get(output), np.asarray(ctx.expected[output], dtype=np.float64)
        p, grad, m, v = a["param"], a["grad"], a["m"], a["v"]
        b1, b2, wd = float(a["beta1"]), float(a["beta2"]), float(a["weight_decay"])
        g = grad if decoupled else grad + wd * p
        if output == "new_m":
            models = [
                (b1 * m + g,
                 "new_m is missing the factor (1 - beta1) on the gradient: new_m = beta1 * m + (1 - beta1) * g"),
                ((1.0 - b1) * m + b1 * g,
                 "new_m has beta1 and (1 - beta1) swapped: new_m = beta1 * m + (1 - beta1) * g"),
            ]
        else:
            models = [
                (b2 * v + (1.0 - b2) * g, "new_v averages g instead of g**2: new_v = beta2 * v + (1 - beta2) * g**2"),
                (b2 * v + g * g, "new_v is missing the factor (1 - beta2) on g**2"),
                ((1.0 - b2) * v + b2 * g * g,
                 "new_v has beta2 and (1 - beta2) swapped: new_v = beta2 * v + (1 - beta2) * g**2"),
            ]
        found = [text for model, text in models if near(got, model) and apart(model, exp)]
        return " or ".join(found) if found else None

    return detect


def zero_based_t(ctx: DiagnosisContext) -> str | None:
    """new_param is not finite at t = 1 while new_v is right: a bias correction 1 - beta**(t - 1) = 0."""
    got = ctx.got.get("new_param")
    if got is None or got.shape != ctx.expected["new_param"].shape or got.dtype.kind != "f":
        return None
    if int(ctx.call.args["t"]) != 1 or np.all(np.isfinite(got)):
        return None
    if not near(ctx.got.get("new_v"), np.asarray(ctx.expected["new_v"], dtype=np.float64)):
        return None
    return (
        "new_param is NaN or inf at t = 1: the bias correction divides by 1 - beta**(t - 1) = 0 there; t is already"
        " the 1-based count of this step, use 1 - beta**t"
    )


def _mistakes(a: dict[str, Any]) -> list[tuple[Triple, str]]:
    out = step_mistakes(a, decoupled=False)
    if float(a["weight_decay"]) != 0.0:
        out.append((variant(a, decoupled=True),
                    "weight decay is decoupled (AdamW style): torch.optim.Adam adds weight_decay * param to the"
                    " gradient before the moment updates (L2), so new_m and new_v include it"))
        out.append((variant(dict(a, weight_decay=0.0), decoupled=False),
                    "weight_decay is ignored: g = grad + weight_decay * param, used in both moments"))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Cases (shared with adamw_step).


def make_call(
    function: str,
    rng: np.random.Generator,
    shape: tuple[int, ...],
    t: int,
    grad_scale: float = 1.0,
    **hyper: float,
) -> Call:
    """One optimiser call: m and v zero at t = 1, else plausible running moments (v >= 0) of gradients this big."""
    grad = normal(rng, *shape, scale=grad_scale)
    if t == 1:
        m, v = np.zeros(shape), np.zeros(shape)
    else:
        m = normal(rng, *shape, scale=0.5 * grad_scale)
        v = (normal(rng, *shape, scale=grad_scale) ** 2 + 0.25 * grad_scale**2) * 0.5
    args: dict[str, object] = {"param": normal(rng, *shape), "grad": grad, "m": m, "v": v, "t": t}
    args.update(hyper)
    return Call(function, args)


def _cases(rng: np.random.Generator) -> list[Case]:
    f = "adam_step"
    return [
        Case("example", (make_call(f, rng, (4,), 1, lr=0.1),), True,
             description="first step (t = 1, m = v = 0), lr 0.1, other hyperparameters at their defaults"),
        Case("second_step", (make_call(f, rng, (2, 3), 2, lr=0.05),), True,
             description="t = 2 with nonzero moments: bias correction by 1 - beta**2"),
        Case("defaults_t1", (make_call(f, rng, (3, 4), 1),),
             description="t = 1 with every default (lr 1e-3)"),
        Case("t3", (make_call(f, rng, (5,), 3, lr=0.1, beta1=0.8, beta2=0.95),),
             description="t = 3 with beta1 0.8, beta2 0.95"),
        Case("t50", (make_call(f, rng, (2, 2, 3), 50, lr=0.1),),
             description="t = 50 on a 3-D parameter: beta2's correction still matters"),
        Case("t1000", (make_call(f, rng, (4, 2), 1000, lr=0.1),),
             description="t = 1000: beta1's correction is ~1, beta2's is 1 - 0.999**1000 = 0.632"),
        Case("weight_decay_t1", (make_call(f, rng, (3, 3), 1, lr=0.1, weight_decay=0.5),),
             description="L2 weight decay 0.5 at t = 1: added to the gradient before the moments"),
        Case("weight_decay_t7", (make_call(f, rng, (6,), 7, lr=0.05, weight_decay=0.1),),
             description="L2 weight decay 0.1 at t = 7"),
        Case("tiny_gradients", (make_call(f, rng, (3, 5), 1, grad_scale=1e-4, lr=0.1),),
             description="gradients of order 1e-4: eps must be added after the square root"),
        Case("large_eps", (make_call(f, rng, (4, 3), 4, grad_scale=1e-3, lr=0.1, eps=1e-3),),
             description="eps = 1e-3 with gradients of order 1e-3, t = 4"),
        Case("single_element", (make_call(f, rng, (1,), 2, lr=0.1, beta1=0.5, beta2=0.9, weight_decay=0.2),),
             description="one parameter, t = 2, beta1 0.5, beta2 0.9, weight decay 0.2"),
    ]


def adam_task(
    task_id: str,
    title: str,
    reference: Callable[..., Triple],
    decay_default: str,
    mistakes: Callable[[dict[str, Any]], list[tuple[Triple, str]]],
    cases: Callable[[np.random.Generator], list[Case]],
) -> Task:
    """The task of one optimiser step ``<task_id>(param, grad, m, v, t, ...) -> (new_param, new_m, new_v)`` with
    PyTorch's defaults, ``decay_default`` the default weight decay as source text; the decay is decoupled (AdamW)
    unless that default is 0."""
    default_decay = float(decay_default)
    decoupled = default_decay != 0.0
    return Task(
        id=task_id,
        title=title,
        functions=(
            FunctionSpec(
                task_id,
                params("param", "grad", "m", "v", "t", lr="1e-3", beta1="0.9", beta2="0.999", eps="1e-8",
                       weight_decay=decay_default),
                ("new_param", "new_m", "new_v"),
            ),
        ),
        reference={task_id: reference},
        make_cases=cases,
        detectors={
            task_id: (
                step_detector(default_decay, mistakes),
                zero_based_t,
                moment_detector("new_m", default_decay, decoupled=decoupled),
                moment_detector("new_v", default_decay, decoupled=decoupled),
            ),
        },
    )


TASK = adam_task("adam_step", "One step of Adam (PyTorch conventions)", adam_step, "0.0", _mistakes, _cases)
