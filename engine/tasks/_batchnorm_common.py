"""What the batch norm tasks (1-D ``batchnorm`` and 2-D ``batchnorm2d``) share: the task's shape (functions,
gradient link), the forward call's parameters and running statistics, and the detectors' helpers and texts."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, DiagnosisContext, Task
from engine.tasks._task_builders import DetectorPair, MakeCases, Pair, pair_task
from engine.tasks._util import normal, ones_like_gamma, params, zeros_like_gamma


def forward_call(
    function: str,
    rng: np.random.Generator,
    x: np.ndarray,
    channels: int,
    train: bool,
    momentum: float | None,
    eps: float | None,
) -> Call:
    """A batch norm forward call on ``x``: gamma, beta and non-trivial running statistics (means away from 0,
    variances away from 1) of ``channels`` values drawn in that order; momentum and eps passed only when given."""
    args: dict[str, Any] = {
        "x": x,
        "gamma": rng.uniform(0.5, 2.0, channels),
        "beta": normal(rng, channels),
        "running_mean": normal(rng, channels, scale=0.5),
        "running_var": rng.uniform(0.4, 2.5, channels),
        "train": train,
    }
    if momentum is not None:
        args["momentum"] = momentum
    if eps is not None:
        args["eps"] = eps
    return Call(function, args)


def momentum_of(ctx: DiagnosisContext) -> float:
    """The call's momentum, or its default."""
    return float(ctx.call.args.get("momentum", 0.1))


def eps_of(ctx: DiagnosisContext) -> float:
    """The call's eps, or its default."""
    return float(ctx.call.args.get("eps", 1e-5))


EVAL_USES_BATCH_STATS = (
    "in eval mode (train=False) y is normalised with the batch statistics; eval must use running_mean and running_var"
)
DX_CONSTANT_STATS = (
    "dx treats the batch mean and variance as constants; they depend on x too: add the gradient paths through mu and"
    " var"
)


def eval_changes_running(ctx: DiagnosisContext) -> str | None:
    """Eval mode returned running statistics other than the ones it was given."""
    if ctx.call.args["train"]:
        return None
    for name, arg in (("new_running_mean", "running_mean"), ("new_running_var", "running_var")):
        got = ctx.got.get(name)
        if got is not None and got.shape == ctx.expected[name].shape and not diagnose.close(got, ctx.expected[name]):
            return (
                f"{name} changes in eval mode; eval must return {arg} unchanged (only train mode updates the"
                " running statistics)"
            )
    return None


def batchnorm_task(prefix: str, title: str, reference: Pair, cases: MakeCases, detectors: DetectorPair) -> Task:
    """A batch norm task: ``<prefix>_forward`` (train and eval mode) and ``<prefix>_backward`` (of the train-mode
    y); the gradient link checks y of train mode with beta and the running statistics fixed."""
    signatures = (
        (
            params("x", "gamma", "beta", "running_mean", "running_var", "train", momentum="0.1", eps="1e-5"),
            ("y", "new_running_mean", "new_running_var"),
        ),
        (params("dy", "x", "gamma", eps="1e-5"), ("dx", "dgamma", "dbeta")),
    )
    fixed = {
        "beta": zeros_like_gamma,
        "running_mean": zeros_like_gamma,
        "running_var": ones_like_gamma,
        "train": True,
        "momentum": 0.1,
    }
    wrt = {"x": 0, "gamma": 1, "beta": 2}
    return pair_task(
        prefix, title, signatures, reference, cases, detectors, wrt, forward_output=0, forward_fixed_args=fixed
    )
