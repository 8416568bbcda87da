"""Task ``rnn_bptt``: a vanilla tanh RNN over a whole sequence, and backpropagation through time.

CS231n layout: x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,); h_t = tanh(x_t Wx + h_{t-1} Wh + b) for
t = 1 .. T, hs (N, T, H) stacks h_1 .. h_T. The backward takes dhs (N, T, H), the loss's gradient with respect to
every hidden state, recomputes the forward and runs the steps in reverse, carrying the gradient to h_{t-1}.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext, FunctionSpec, GradientLink, Task
from engine.tasks._util import call_arrays, normal, params, upstream
from engine.tasks._variants import gradients_variant

NAMES = ("dx", "dh0", "dWx", "dWh", "db")
Grads = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def rnn_forward(x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x (N, T, D), h0 (N, H), Wx (D, H), Wh (H, H), b (H,) -> hs (N, T, H), hs[:, t] = h_{t+1}."""
    x = np.asarray(x, dtype=np.float64)
    h = np.asarray(h0, dtype=np.float64)
    hs = np.empty((x.shape[0], x.shape[1], h.shape[1]))
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ Wx + h @ Wh + b)
        hs[:, t] = h
    return hs


def rnn_backward(
    dhs: np.ndarray, x: np.ndarray, h0: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray
) -> Grads:
    """dhs (N, T, H) -> dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,)."""
    return _backward(dhs, x, h0, Wx, Wh, b)


def _backward(
    dhs: np.ndarray,
    x: np.ndarray,
    h0: np.ndarray,
    Wx: np.ndarray,
    Wh: np.ndarray,
    b: np.ndarray,
    *,
    carry: bool = True,
    last_only: bool = False,
    wh_with_current: bool = False,
    local: str = "h",
) -> Grads:
    """The gradients of the loss through every step of the RNN, from the last step back to the first.

    The knobs make the detectors' mistakes: ``carry`` False: no gradient flows from step t to step t-1 (each step
    alone); ``last_only``: only dhs[:, -1] is used; ``wh_with_current``: dWh accumulates h_t instead of h_{t-1};
    ``local``: the tanh derivative, "h" (1 - h_t^2, right) or "none" (left out).
    """
    x, h0 = np.asarray(x, dtype=np.float64), np.asarray(h0, dtype=np.float64)
    hs = rnn_forward(x, h0, Wx, Wh, b)
    prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)  # h_{t-1} for each step
    dx, dWx, dWh = np.zeros_like(x), np.zeros_like(Wx, dtype=np.float64), np.zeros_like(Wh, dtype=np.float64)
    db, carried = np.zeros(hs.shape[2]), np.zeros_like(h0)
    steps = x.shape[1]
    for t in reversed(range(steps)):
        dh = carried if carry else np.zeros_like(h0)
        if not last_only or t == steps - 1:
            dh = dh + dhs[:, t]
        dpre: np.ndarray = dh * (1.0 - hs[:, t] ** 2) if local == "h" else dh
        dx[:, t] = dpre @ Wx.T
        dWx += x[:, t].T @ dpre
        dWh += (hs[:, t] if wh_with_current else prev[:, t]).T @ dpre
        db += dpre.sum(axis=0)
        carried = dpre @ Wh.T
    return dx, carried, dWx, dWh, db


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, N, T, D, H, what
    shapes = [
        ("example", 2, 3, 3, 4, "a batch of 2, 3 steps, input size 3, hidden size 4"),
        ("batch1", 1, 5, 2, 3, "a batch of one over 5 steps"),
        ("one_step", 3, 1, 4, 2, "a single time step"),
        ("long", 2, 7, 3, 5, "7 steps: the gradient must reach the first step"),
        ("square", 4, 4, 3, 3, "input size = hidden size, where a transposed weight keeps its shape"),
        ("wide_hidden", 3, 3, 2, 6, "hidden size 6 larger than input size 2"),
    ]
    for name, n, steps, d, h, what in shapes:
        for fn in ("forward", "backward"):
            # Weights scaled by 1/sqrt(fan-in): pre-activations of order 1, where tanh is curved but not flat, and
            # a gradient that neither vanishes nor explodes over 7 steps.
            args: dict[str, Any] = {
                "x": normal(rng, n, steps, d),
                "h0": np.tanh(normal(rng, n, h)),
                "Wx": normal(rng, d, h, scale=1.0 / np.sqrt(d)),
                "Wh": normal(rng, h, h, scale=0.9 / np.sqrt(h)),
                "b": normal(rng, h, scale=0.3),
            }
            if fn == "backward":
                args = {"dhs": upstream(rng, n, steps, h), **args}
            call = Call(f"rnn_{fn}", args)
            cases.append(Case(f"{fn}_{name}", (call,), name == "example", description=f"{fn}: {what}"))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors

_ARGS = ("x", "h0", "Wx", "Wh", "b")


def _forward_variants(ctx: DiagnosisContext) -> list[tuple[np.ndarray | None, str]]:
    x, h0, Wx, Wh, b = call_arrays(ctx, *_ARGS)
    hs = rnn_forward(x, h0, Wx, Wh, b)
    return [
        (rnn_forward(x, np.zeros_like(h0), Wx, Wh, b), "hs starts from zeros: the first step uses h0"),
        (rnn_forward(x, h0, Wx, Wh.T, b), "hs uses Wh transposed: the recurrence is h_{t-1} @ Wh with Wh (H, H)"),
        (
            np.concatenate([h0[:, None], hs[:, :-1]], axis=1),
            "hs is shifted by one step: it holds h0 .. h_{T-1}; hs[:, t] must be the state after reading x[:, t]",
        ),
        (
            np.concatenate([h0[:, None], hs], axis=1),
            "hs includes h0 as its first step: return the T states h_1 .. h_T, shape (N, T, H)",
        ),
    ]


def _mistake(text: str, names: tuple[str, ...], **knobs: Any) -> Detector:
    """The gradients in ``names`` are those of the backward variant with these knobs."""

    def variant(ctx: DiagnosisContext) -> dict[str, np.ndarray]:
        dhs = np.asarray(ctx.call.args["dhs"], dtype=np.float64)
        x, h0, Wx, Wh, b = call_arrays(ctx, *_ARGS)
        return dict(zip(NAMES, _backward(dhs, x, h0, Wx, Wh, b, **knobs), strict=True))

    return gradients_variant(text, names, variant)


TASK = Task(
    id="rnn_bptt",
    title="Backpropagation through time for a tanh RNN",
    functions=(
        FunctionSpec("rnn_forward", params("x", "h0", "Wx", "Wh", "b"), ("hs",)),
        FunctionSpec("rnn_backward", params("dhs", "x", "h0", "Wx", "Wh", "b"), NAMES),
    ),
    reference={"rnn_forward": rnn_forward, "rnn_backward": rnn_backward},
    make_cases=_cases,
    detectors={
        "rnn_forward": (diagnose.variant_explained("hs", _forward_variants),),
        "rnn_backward": (
            _mistake(
                "the gradient is not carried through time: each step must add dpre_t @ Wh.T, the gradient reaching"
                " h_{t-1} through step t, to dhs[:, t-1]",
                ("dx", "dWx"),
                carry=False,
            ),
            _mistake(
                "only the last step's upstream gradient dhs[:, -1] is used: every h_t receives its own dhs[:, t],"
                " added to the gradient carried back from step t+1",
                ("dx", "dWx"),
                last_only=True,
            ),
            _mistake(
                "dWh uses h_t; the recurrence multiplies h_{t-1} by Wh, so dWh sums h_{t-1}^T @ dpre_t (h0 at the"
                " first step)",
                ("dWh",),
                wh_with_current=True,
            ),
            _mistake(
                "the tanh derivative is missing: multiply the gradient reaching h_t by 1 - h_t**2 before the"
                " matmuls",
                ("dx", "dWx"),
                local="none",
            ),
        ),
    },
    links=(
        GradientLink(
            "rnn_forward", "rnn_backward", {"x": 0, "h0": 1, "Wx": 2, "Wh": 3, "b": 4}, upstream_arg="dhs"
        ),
    ),
)
