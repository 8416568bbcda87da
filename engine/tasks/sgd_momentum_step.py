"""Task ``sgd_momentum_step``: one step of SGD with momentum, as torch.optim.SGD with dampening 0.

    g            = grad + weight_decay * param          (L2 weight decay, added to the gradient)
    new_velocity = momentum * velocity + g              (PyTorch's momentum buffer: no lr inside)
    update       = g + momentum * new_velocity  if nesterov else  new_velocity
    new_param    = param - lr * update

PyTorch sets the buffer to g on the very first step; passing ``velocity`` as zeros on the first step gives the same
result, so the function needs no special first step. Every array has one shape (any shape).

The classic mistakes change the returned velocity or parameter by far more than the tolerance in the cases:
lr = 0.05 to 0.5 and weight decay 0.05 to 0.1 keep every variant at least 1e-3 away (relative) from the reference.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import normal, params


def sgd_momentum_step(
    param: np.ndarray,
    grad: np.ndarray,
    velocity: np.ndarray,
    lr: float,
    momentum: float,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """param, grad, velocity (one shape) -> (new_param, new_velocity), as torch.optim.SGD with dampening 0."""
    g = grad + weight_decay * param
    new_velocity = momentum * velocity + g
    update = g + momentum * new_velocity if nesterov else new_velocity
    new_param = param - lr * update
    return new_param, new_velocity


# ---------------------------------------------------------------------------------------------------------------
# Detectors: each computes what one classic mistake returns for the failing call.


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, float, bool]:
    a = ctx.call.args
    return (
        np.asarray(a["param"], dtype=np.float64),
        np.asarray(a["grad"], dtype=np.float64),
        np.asarray(a["velocity"], dtype=np.float64),
        float(a["lr"]),
        float(a["momentum"]),
        float(a.get("weight_decay", 0.0)),
        bool(a.get("nesterov", False)),
    )


def _velocity_variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    p, grad, v, lr, mom, wd, _ = _args(ctx)
    g = grad + wd * p
    out: list[tuple[np.ndarray | None, str]] = [
        (mom * v - lr * g,
         "new_velocity is lr-scaled (v = momentum * v - lr * g): PyTorch's buffer is momentum * velocity + g,"
         " with lr applied only in the parameter update"),
        (mom * v + lr * g,
         "new_velocity includes lr (v = momentum * v + lr * g): PyTorch's buffer is momentum * velocity + g,"
         " with lr applied only in the parameter update"),
        (mom * v - g,
         "new_velocity subtracts the gradient: the buffer is momentum * velocity + g; the minus sign belongs"
         " in the parameter update"),
        (mom * v + (1.0 - mom) * g,
         "new_velocity dampens the gradient by (1 - momentum) (an exponential moving average): with"
         " dampening 0 the buffer is momentum * velocity + g"),
    ]
    if wd != 0.0:
        out.append((
            mom * v + grad,
            "new_velocity is built from the raw grad: weight decay goes into the gradient first,"
            " g = grad + weight_decay * param, and g into the buffer",
        ))
    return out


def _param_variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    p, grad, v, lr, mom, wd, nesterov = _args(ctx)
    g = grad + wd * p
    new_v = mom * v + g
    update = g + mom * new_v if nesterov else new_v
    out: list[tuple[np.ndarray | None, str]] = [
        (p + lr * update, "new_param moves up the gradient: the step is param - lr * update, not param + lr * update"),
    ]
    if nesterov:
        out.append((
            p - lr * new_v,
            "nesterov=True is ignored: the Nesterov update is g + momentum * new_velocity, not new_velocity",
        ))
    else:
        out.append((
            p - lr * (g + mom * new_v),
            "the Nesterov update is applied although nesterov=False: then the update is new_velocity itself",
        ))
    if wd != 0.0:
        raw_v = mom * v + grad
        raw_update = grad + mom * raw_v if nesterov else raw_v
        out.append((p - lr * raw_update, "weight_decay is ignored: g = grad + weight_decay * param"))
        out.append((
            p - lr * raw_update - lr * wd * p,
            "weight decay is applied to the parameter after the momentum step (decoupled, as AdamW does):"
            " torch.optim.SGD adds weight_decay * param to the gradient before the velocity update",
        ))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Cases.


def _call(
    rng: np.random.Generator,
    shape: tuple[int, ...],
    lr: float,
    momentum: float,
    weight_decay: float | None = None,
    nesterov: bool | None = None,
    first_step: bool = False,
) -> Call:
    args: dict[str, object] = {
        "param": normal(rng, *shape),
        "grad": normal(rng, *shape),
        "velocity": np.zeros(shape) if first_step else normal(rng, *shape),
        "lr": lr,
        "momentum": momentum,
    }
    if weight_decay is not None:
        args["weight_decay"] = weight_decay
    if nesterov is not None:
        args["nesterov"] = nesterov
    return Call("sgd_momentum_step", args)


def _cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("example", (_call(rng, (4,), 0.05, 0.9),), True,
             description="lr 0.05, momentum 0.9, defaults for weight_decay and nesterov"),
        Case("nesterov_example", (_call(rng, (2, 3), 0.2, 0.9, 0.1, True),), True,
             description="Nesterov momentum with weight decay 0.1"),
        Case("first_step", (_call(rng, (3, 4), 0.05, 0.9, 0.0, False, first_step=True),),
             description="first step: velocity is zeros, so new_velocity = g"),
        Case("weight_decay", (_call(rng, (2, 5), 0.2, 0.9, 0.1, False),),
             description="weight decay 0.1 is added to the gradient before the velocity update"),
        Case("nesterov_3d", (_call(rng, (3, 2, 2), 0.25, 0.8, 0.0, True),),
             description="Nesterov momentum on a 3-D parameter, no weight decay"),
        Case("nesterov_first_step_decay", (_call(rng, (5,), 0.3, 0.9, 0.05, True, first_step=True),),
             description="Nesterov, first step (zero velocity), weight decay 0.05"),
        Case("plain_sgd", (_call(rng, (6,), 0.5, 0.0, 0.1, False),),
             description="momentum 0: plain SGD with weight decay"),
        Case("large_momentum", (_call(rng, (4, 3), 0.3, 0.99, 0.0, False),),
             description="momentum 0.99, lr 0.3"),
        Case("single_element", (_call(rng, (1, 1), 0.1, 0.5, 0.1, True),),
             description="a (1, 1) parameter, Nesterov with weight decay"),
    ]


TASK = Task(
    id="sgd_momentum_step",
    title="One step of SGD with momentum (PyTorch conventions)",
    functions=(
        FunctionSpec(
            "sgd_momentum_step",
            params("param", "grad", "velocity", "lr", "momentum", weight_decay="0.0", nesterov="False"),
            ("new_param", "new_velocity"),
        ),
    ),
    reference={"sgd_momentum_step": sgd_momentum_step},
    make_cases=_cases,
    detectors={
        "sgd_momentum_step": (
            diagnose.variant_explained("new_velocity", _velocity_variants),
            diagnose.variant_explained("new_param", _param_variants),
        ),
    },
)
