"""Task layernorm: the CS231n ``layernorm_forward(x, gamma, beta, ln_param) -> (out, cache)`` and
``layernorm_backward(dout, cache) -> (dx, dgamma, dbeta)``.

Each ROW of x (N, D) is normalised over its D features with the biased variance; ``ln_param`` may hold ``eps``
(default 1e-5). There is no mode and no running statistic: train and test are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.packs.gradients import ReferenceGradient
from engine.task import Case, DiagnosisContext, FunctionSpec, Task

from ._common import forward_args, forward_case, layer_case, layer_gradient, params


def layernorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, ln_param: dict[str, Any]
) -> tuple[np.ndarray, Any]:
    """x (N, D), gamma, beta (D,) -> (out (N, D), cache)."""
    eps = ln_param.get("eps", 1e-5)
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - x.mean(axis=1, keepdims=True)) / std
    return gamma * x_hat + beta, (x_hat, gamma, std)


def layernorm_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (N, D) -> (dx (N, D), dgamma (D,), dbeta (D,))."""
    x_hat, gamma, std = cache
    d = dout.shape[1]
    g = dout * gamma
    dx = (d * g - g.sum(axis=1, keepdims=True) - x_hat * (g * x_hat).sum(axis=1, keepdims=True)) / (d * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _over_batch(ctx: DiagnosisContext) -> str | None:
    args = forward_args(ctx)
    got = ctx.got.get("out")
    if got is None or not ctx.call.keep or "x" not in args:
        return None
    x, eps = args["x"], args["ln_param"].get("eps", 1e-5)
    batch = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) * args["gamma"] + args["beta"]
    if diagnose.close(got, batch):
        return "out normalises each feature over the batch (batch norm): layer norm normalises each row over D"
    return None


def _args(rng: np.random.Generator, n: int, d: int, eps: float | None) -> dict[str, Any]:
    x = rng.standard_normal((n, d)) * rng.uniform(0.5, 3) + rng.uniform(-2, 2, (n, 1))
    return {"x": x, "gamma": rng.standard_normal(d), "beta": rng.standard_normal(d),
            "ln_param": {} if eps is None else {"eps": eps}}


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for name, n, d, eps, visible, what in (
        ("example", 3, 5, None, True, "x (3, 5)"),
        ("batch1", 1, 6, None, False, "a batch of one"),
        ("eps", 4, 3, 1e-2, False, "eps = 0.01 given in ln_param"),
        ("wide", 2, 12, None, False, "x (2, 12)"),
    ):
        cases.append(forward_case(f"forward_{name}", "layernorm_forward", _args(rng, n, d, eps), visible,
                                  f"forward: {what}"))
        cases.append(layer_case(f"backward_{name}", "layernorm_forward", _args(rng, n, d, eps), "layernorm_backward",
                                rng.standard_normal((n, d)), visible, f"forward then backward: {what}"))
    return cases


def GRADIENT_CHECKS(rng: np.random.Generator) -> list[ReferenceGradient]:
    inputs = {"x": rng.standard_normal((4, 5)), "gamma": rng.standard_normal(5), "beta": rng.standard_normal(5)}
    return [layer_gradient("layernorm_backward", layernorm_forward, layernorm_backward, inputs, {"ln_param": {}},
                           ("dx", "dgamma", "dbeta"), rng)]


TASK = Task(
    id="layernorm",
    title="Layer normalisation (CS231n layers API)",
    functions=(
        FunctionSpec("layernorm_forward", params("x", "gamma", "beta", "ln_param"), ("out", "cache")),
        FunctionSpec("layernorm_backward", params("dout", "cache"), ("dx", "dgamma", "dbeta")),
    ),
    reference={"layernorm_forward": layernorm_forward, "layernorm_backward": layernorm_backward},
    make_cases=_cases,
    detectors={
        "layernorm_forward": (_over_batch,),
        "layernorm_backward": (diagnose.not_summed("dgamma"), diagnose.not_summed("dbeta")),
    },
)
