"""Task ``rnn_cell``: one step of a tanh RNN (torch.nn.RNNCell layout), forward and backward.

x (N, D), h_prev (N, H), W_ih (H, D), W_hh (H, H), b_ih, b_hh (H,);
h = tanh(x W_ih^T + b_ih + h_prev W_hh^T + b_hh), shape (N, H).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import call_arrays, cell_inputs, params, upstream

Grads = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
NAMES = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")


def _pre(
    x: np.ndarray, h_prev: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray
) -> np.ndarray:
    """The pre-activation x W_ih^T + b_ih + h_prev W_hh^T + b_hh, (N, H)."""
    pre: np.ndarray = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    return pre


def rnn_cell_forward(
    x: np.ndarray, h_prev: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray
) -> np.ndarray:
    """x (N, D), h_prev (N, H), W_ih (H, D), W_hh (H, H), b_ih, b_hh (H,) -> h (N, H)."""
    h: np.ndarray = np.tanh(_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh))
    return h


def rnn_cell_backward(
    dh: np.ndarray,
    x: np.ndarray,
    h_prev: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    *,
    local: str = "h",
) -> Grads:
    """dh (N, H) -> dx (N, D), dh_prev (N, H), dW_ih (H, D), dW_hh (H, H), db_ih (H,), db_hh (H,).

    ``local`` is where tanh' comes from: "h", 1 - h^2 with the output h (right); the detectors' mistakes "pre",
    1 - pre^2 with the pre-activation, and "none", no derivative."""
    pre = _pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    if local == "h":
        h = np.tanh(pre)
        dpre = dh * (1.0 - h**2)
    elif local == "pre":
        dpre = dh * (1.0 - pre**2)
    else:
        dpre = dh
    db = dpre.sum(axis=0)
    return dpre @ W_ih, dpre @ W_hh, dpre.T @ x, dpre.T @ h_prev, db, db.copy()


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, N, D, H, visible, what
    shapes = [
        ("example", 2, 3, 4, True, "a batch of 2, input size 3, hidden size 4"),
        ("batch1", 1, 5, 3, False, "a batch of one example, hidden size smaller than input size"),
        ("wide_hidden", 4, 2, 6, False, "hidden size 6 larger than input size 2"),
        ("tall", 6, 7, 3, False, "a batch of 6, input size 7, hidden size 3"),
        ("square", 5, 4, 4, False, "input size = hidden size, where a transposed weight keeps its shape"),
    ]
    for name, n, d, h, visible, what in shapes:
        for fn in ("forward", "backward"):
            args: dict[str, Any] = cell_inputs(rng, n, d, h, 1)
            if fn == "backward":
                args = {"dh": upstream(rng, n, h), **args}
            cases.append(Case(f"{fn}_{name}", (Call(f"rnn_cell_{fn}", args),), visible, description=f"{fn}: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors

_ARGS = ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")


def _no_tanh(ctx: DiagnosisContext) -> str | None:
    if diagnose.matches_variant(ctx.got.get("h"), _pre(*call_arrays(ctx, *_ARGS)), ctx.expected["h"]):
        return "h is the pre-activation: apply tanh to x W_ih^T + b_ih + h_prev W_hh^T + b_hh"
    return None


def _one_bias(ctx: DiagnosisContext) -> str | None:
    x, h_prev, W_ih, W_hh, b_ih, b_hh = call_arrays(ctx, *_ARGS)
    got = ctx.got.get("h")
    for variant in (
        np.tanh(x @ W_ih.T + h_prev @ W_hh.T + b_ih),
        np.tanh(x @ W_ih.T + h_prev @ W_hh.T + b_hh),
        np.tanh(x @ W_ih.T + h_prev @ W_hh.T),
    ):
        if diagnose.matches_variant(got, variant, ctx.expected["h"]):
            return "h is missing a bias: torch's RNNCell adds both b_ih and b_hh"
    return None


def _local_variant(local: str) -> Any:
    def variant(ctx: DiagnosisContext) -> Grads:
        return rnn_cell_backward(*call_arrays(ctx, "dh", *_ARGS), local=local)

    return variant


def _explains(ctx: DiagnosisContext, variant: Grads, names: tuple[str, ...] = ("dx", "dW_ih")) -> bool:
    """One of ``names`` agrees with the variant, where the variant differs from the reference."""
    matched = [
        diagnose.matches_variant(ctx.got.get(n), v, ctx.expected[n])
        for n, v in zip(NAMES, variant, strict=True)
        if n in names
    ]
    return any(matched)


def _derivative_of_pre(ctx: DiagnosisContext) -> str | None:
    if _explains(ctx, _local_variant("pre")(ctx)):
        return (
            "the tanh derivative is computed as 1 - pre^2 from the pre-activation; it is 1 - tanh(pre)^2 = 1 - h^2,"
            " from the output h"
        )
    return None


def _no_derivative(ctx: DiagnosisContext) -> str | None:
    if _explains(ctx, _local_variant("none")(ctx)):
        return "the tanh derivative is missing: multiply dh by (1 - h^2) before going through the weights"
    return None


def _dh_prev_missing(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("dh_prev"), ctx.expected["dh_prev"]
    advice = "dh_prev = (dh * (1 - h^2)) @ W_hh: the gradient flows back into h_prev through W_hh"
    if got is None:
        return f"dh_prev is missing (None); {advice}"
    if got.shape == exp.shape and got.dtype.kind == "f" and np.all(got == 0) and not np.all(exp == 0):
        return f"dh_prev is all zeros; {advice}"
    dh = np.asarray(ctx.call.args["dh"], dtype=np.float64)
    x, h_prev, W_ih, W_hh, b_ih, b_hh = call_arrays(ctx, *_ARGS)
    dpre = dh * (1.0 - np.tanh(_pre(x, h_prev, W_ih, W_hh, b_ih, b_hh)) ** 2)
    if diagnose.matches_variant(got, dh, exp) or diagnose.matches_variant(got, dpre, exp):
        return f"dh_prev does not go through the recurrent weights; {advice}"
    if diagnose.matches_variant(got, dpre @ W_hh.T, exp):
        return f"dh_prev uses W_hh^T; {advice} (h_prev was multiplied by W_hh^T in the forward)"
    return None


TASK = pair_task(
    "rnn_cell", "RNN cell (tanh) forward and backward",
    (
        (params("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"), ("h",)),
        (params("dh", "x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"), NAMES),
    ),
    (rnn_cell_forward, rnn_cell_backward), _cases,
    (
        (_no_tanh, _one_bias),
        (
            _derivative_of_pre,
            _no_derivative,
            _dh_prev_missing,
            diagnose.transposed("dW_ih"),
            diagnose.transposed("dW_hh"),
            diagnose.not_summed("db_ih"),
            diagnose.not_summed("db_hh"),
            diagnose.upstream_ignored("dx", "dh"),
        ),
    ),
    {"x": 0, "h_prev": 1, "W_ih": 2, "W_hh": 3, "b_ih": 4, "b_hh": 5}, upstream_arg="dh",
)
