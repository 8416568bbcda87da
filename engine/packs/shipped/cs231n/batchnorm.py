"""Task batchnorm: the CS231n ``batchnorm_forward(x, gamma, beta, bn_param) -> (out, cache)`` in train and test
mode, with the course's running statistics, and ``batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)``.

The course's conventions: normalise with the BIASED batch variance; ``bn_param`` holds ``mode`` ("train"/"test"),
``eps`` (default 1e-5), ``momentum`` (default 0.9) and the running statistics, which start at zeros and are updated
in train mode as ``running = momentum * running + (1 - momentum) * batch`` (the biased variance again), and are
stored back into ``bn_param``. Test mode normalises with the running statistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.packs.gradients import ReferenceGradient
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Ref, Task, operation

from ._common import forward_call, layer_case, layer_gradient, params


def batchnorm_forward(
    x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, bn_param: dict[str, Any]
) -> tuple[np.ndarray, Any]:
    """x (N, D), gamma, beta (D,), bn_param (updated in train mode) -> (out (N, D), cache)."""
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    d = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(d))
    running_var = bn_param.get("running_var", np.zeros(d))
    if bn_param["mode"] == "train":
        mean, var = x.mean(axis=0), x.var(axis=0)
        x_hat = (x - mean) / np.sqrt(var + eps)
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
        return gamma * x_hat + beta, (x_hat, gamma, np.sqrt(var + eps))
    x_hat = (x - running_mean) / np.sqrt(running_var + eps)
    return gamma * x_hat + beta, (x_hat, gamma, np.sqrt(running_var + eps))


def batchnorm_backward(dout: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dout (N, D) and a train-mode cache -> (dx (N, D), dgamma (D,), dbeta (D,))."""
    x_hat, gamma, std = cache
    n = dout.shape[0]
    dx_hat = dout * gamma
    dx = (n * dx_hat - dx_hat.sum(axis=0) - x_hat * (dx_hat * x_hat).sum(axis=0)) / (n * std)
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_args(ctx: DiagnosisContext) -> tuple[np.ndarray, dict[str, Any]] | None:
    """The train-mode call's x and its parameter dict, for the running-statistics detectors."""
    if ctx.case is None:
        return None
    params_call = ctx.case.calls[0]
    forward = ctx.case.calls[1]
    x = forward.args.get("x")
    if params_call.kind != "operator" or not isinstance(x, np.ndarray):
        return None
    return x, dict(params_call.args["arg0"][0])


def _running_stat(ctx: DiagnosisContext) -> str | None:
    found = _bn_args(ctx)
    key = ctx.call.args.get("arg1")
    got = next(iter(ctx.got.values()), None)
    if found is None or got is None or key not in ("running_mean", "running_var"):
        return None
    x, bn = found
    m = bn.get("momentum", 0.9)
    old = bn.get(key, np.zeros(x.shape[1]))
    batch = x.mean(axis=0) if key == "running_mean" else x.var(axis=0)
    if key == "running_var" and diagnose.close(got, m * old + (1 - m) * x.var(axis=0, ddof=1)):
        return "running_var uses the unbiased batch variance (N - 1): the course keeps the biased one (np.var)"
    if diagnose.close(got, (1 - m) * old + m * batch):
        return "the momentum weighs the batch statistic: running = momentum * running + (1 - momentum) * batch"
    if diagnose.close(got, batch):
        return f"{key} is the batch statistic alone: blend it into the running value with the momentum"
    return None


def _unbiased_out(ctx: DiagnosisContext) -> str | None:
    got, fwd = ctx.got.get("out"), ctx.call.args
    x = fwd.get("x")
    if got is None or not isinstance(x, np.ndarray) or x.shape[0] < 2:
        return None
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + 1e-5)
    if diagnose.close(got, fwd["gamma"] * x_hat + fwd["beta"]):
        return "out is normalised with the unbiased variance (N - 1): batch norm uses the biased one (np.var)"
    return None


def _train_case(rng: np.random.Generator, name: str, n: int, d: int, visible: bool, extra: dict[str, Any]) -> Case:
    """Two train steps on one kept bn_param, reading out and the running statistics after each."""
    bn: dict[str, Any] = {"mode": "train", **extra}
    calls: list[Call] = [operation("getitem", (bn,), 0, store_as="bn_param")]
    for step in range(2):
        x = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0) + rng.uniform(-2, 2)
        args = {"x": x, "gamma": rng.standard_normal(d), "beta": rng.standard_normal(d), "bn_param": Ref("bn_param")}
        calls.append(forward_call("batchnorm_forward", args))
        if step == 0:
            calls.append(operation("getitem", Ref("bn_param"), "running_mean"))
            calls.append(operation("getitem", Ref("bn_param"), "running_var"))
    calls.append(operation("getitem", Ref("bn_param"), "running_mean"))
    calls.append(operation("getitem", Ref("bn_param"), "running_var"))
    what = ", ".join(f"{k}={v}" for k, v in extra.items() if not isinstance(v, np.ndarray)) or "default eps, momentum"
    return Case(f"train_{name}", tuple(calls), visible, description=f"two train steps, x ({n}, {d}), {what}")


def _test_case(rng: np.random.Generator, n: int, d: int) -> Case:
    bn = {"mode": "test", "running_mean": rng.standard_normal(d), "running_var": rng.uniform(0.5, 2.0, d)}
    args = {"x": rng.standard_normal((n, d)), "gamma": rng.standard_normal(d), "beta": rng.standard_normal(d),
            "bn_param": bn}
    calls = (forward_call("batchnorm_forward", args),)
    return Case("test_mode", calls, description=f"test mode: normalised with the running statistics, x ({n}, {d})")


def _cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        _train_case(rng, "example", 4, 3, True, {}),
        _train_case(rng, "momentum", 6, 5, False, {"momentum": 0.8, "eps": 1e-3}),
        _train_case(rng, "warm", 3, 4, False, {"running_mean": rng.standard_normal(4),
                                               "running_var": rng.uniform(0.5, 2.0, 4)}),
        _test_case(rng, 5, 3),
    ]
    for name, n, d, visible in (("example", 4, 3, True), ("tall", 9, 2, False), ("wide", 3, 7, False)):
        args = {"x": rng.standard_normal((n, d)) * 2 + 1, "gamma": rng.standard_normal(d),
                "beta": rng.standard_normal(d), "bn_param": {"mode": "train"}}
        cases.append(layer_case(f"backward_{name}", "batchnorm_forward", args, "batchnorm_backward",
                                rng.standard_normal((n, d)), visible, f"train forward then backward, x ({n}, {d})"))
    return cases


def GRADIENT_CHECKS(rng: np.random.Generator) -> list[ReferenceGradient]:
    inputs = {"x": rng.standard_normal((5, 3)), "gamma": rng.standard_normal(3), "beta": rng.standard_normal(3)}

    def forward(**xs: Any) -> tuple[np.ndarray, Any]:
        return batchnorm_forward(**xs, bn_param={"mode": "train"})

    return [layer_gradient("batchnorm_backward", forward, batchnorm_backward, inputs, {},
                           ("dx", "dgamma", "dbeta"), rng)]


TASK = Task(
    id="batchnorm",
    title="Batch normalisation, train and test mode (CS231n layers API)",
    functions=(
        FunctionSpec("batchnorm_forward", params("x", "gamma", "beta", "bn_param"), ("out", "cache")),
        FunctionSpec("batchnorm_backward", params("dout", "cache"), ("dx", "dgamma", "dbeta")),
    ),
    reference={"batchnorm_forward": batchnorm_forward, "batchnorm_backward": batchnorm_backward},
    make_cases=_cases,
    detectors={
        "operator.getitem": (_running_stat,),
        "batchnorm_forward": (_unbiased_out,),
        "batchnorm_backward": (diagnose.not_summed("dgamma"), diagnose.not_summed("dbeta")),
    },
)
