"""Task ``linear``: a fully connected layer y = x @ W.T + b, with W stored (D_out, D_in) as torch.nn.Linear."""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x (N, D_in), W (D_out, D_in), b (D_out,) -> y (N, D_out)."""
    y: np.ndarray = x @ W.T + b
    return y


def linear_backward(
    dy: np.ndarray, x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (N, D_out) -> dx (N, D_in), dW (D_out, D_in), db (D_out,)."""
    return dy @ W, dy.T @ x, dy.sum(axis=0)


def _cases(rng: np.random.Generator) -> list[Case]:
    shapes = [
        ("example", 2, 3, 4, True, "a batch of 2, 3 inputs, 4 outputs"),
        ("batch1", 1, 5, 3, False, "a batch of one example"),
        ("tall", 6, 7, 2, False, "more inputs than outputs"),
        ("wide", 4, 3, 8, False, "more outputs than inputs"),
        ("square", 5, 6, 6, False, "square weight (D_in = D_out), where a transpose keeps the shape"),
    ]
    cases: list[Case] = []
    for name, n, d_in, d_out, visible, what in shapes:
        x, W, b = normal(rng, n, d_in), normal(rng, d_out, d_in), normal(rng, d_out)
        cases.append(
            Case(
                f"forward_{name}",
                (Call("linear_forward", {"x": x, "W": W, "b": b}),),
                visible,
                description=f"forward: {what}",
            )
        )
        dy = upstream(rng, n, d_out)
        cases.append(
            Case(
                f"backward_{name}",
                (Call("linear_backward", {"dy": dy, "x": x, "W": W, "b": b}),),
                visible,
                description=f"backward: {what}",
            )
        )
    return cases


def _bias_missing(ctx: DiagnosisContext) -> str | None:
    got = ctx.got.get("y")
    args = ctx.call.args
    if got is not None and diagnose.close(got, args["x"] @ args["W"].T):
        return "y is missing the bias: add b (broadcast over the batch)"
    return None


TASK = pair_task(
    "linear", "Linear layer forward and backward",
    ((params("x", "W", "b"), ("y",)), (params("dy", "x", "W", "b"), ("dx", "dW", "db"))),
    (linear_forward, linear_backward), _cases,
    (
        (_bias_missing, diagnose.transposed("y")),
        (
            diagnose.transposed("dW"),
            diagnose.not_summed("db"),
            diagnose.upstream_ignored("dx"),
            diagnose.upstream_ignored("dW"),
            diagnose.scaled("dW", batch_arg="x"),
            diagnose.scaled("db", batch_arg="x"),
            diagnose.scaled("dx", batch_arg="x"),
        ),
    ),
    {"x": 0, "W": 1, "b": 2},
)
