"""Task ``mlp2``: a two-layer perceptron, logits = relu(x W1^T + b1) W2^T + b2, and its backward pass.

x (N, D), W1 (H, D), b1 (H,), W2 (C, H), b2 (C,) in torch.nn.Linear layout; no activation on the output.
``mlp2_backward(dlogits, x, W1, b1, W2, b2) -> (dx, dW1, db1, dW2, db2)``.

Every case keeps the hidden pre-activations z = x W1^T + b1 at least ``KINK_MARGIN`` away from 0, so the ReLU
derivative is unambiguous and the numerical cross-check (steps of 1e-4) never crosses the kink. Gating the
gradient by ``h > 0`` instead of ``z > 0`` is then identical, and accepted.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from engine import diagnose
from engine.task import Call, Case, Detector, DiagnosisContext, Value
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, upstream
from engine.tasks.softmax import stable_softmax

KINK_MARGIN = 0.1
GRADS = ("dx", "dW1", "db1", "dW2", "db2")


def mlp2_forward(x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """x (N, D) -> logits (N, C) = relu(x @ W1.T + b1) @ W2.T + b2."""
    h = np.maximum(x @ W1.T + b1, 0.0)
    out: np.ndarray = h @ W2.T + b2
    return out


def mlp2_backward(
    dlogits: np.ndarray, x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """dlogits (N, C) -> dx (N, D), dW1 (H, D), db1 (H,), dW2 (C, H), db2 (C,). ``b2`` is not needed."""
    z = x @ W1.T + b1
    h = np.maximum(z, 0.0)
    dW2 = dlogits.T @ h
    db2 = dlogits.sum(axis=0)
    dz = (dlogits @ W2) * (z > 0)
    return dz @ W1, dz.T @ x, dz.sum(axis=0), dW2, db2


# ---------------------------------------------------------------------------------------------------------------
# Detectors.


def _forward_mistakes(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("logits"), ctx.expected["logits"]
    a = ctx.call.args
    if diagnose.matches_variant(got, stable_softmax(exp), exp):
        return (
            "logits are softmax probabilities: mlp2_forward returns the raw scores; the output layer has no"
            " activation (softmax belongs to the loss)"
        )
    if diagnose.matches_variant(got, np.maximum(exp, 0.0), exp):
        return "a ReLU is applied to the output layer: only the hidden layer has a ReLU; logits are h @ W2.T + b2"
    linear = (a["x"] @ a["W1"].T + a["b1"]) @ a["W2"].T + a["b2"]
    if diagnose.matches_variant(got, linear, exp):
        return "the hidden layer has no ReLU: h = max(x @ W1.T + b1, 0) before the second layer"
    return None


def _mistaken_backward(
    dlogits: np.ndarray,
    x: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    gate: str = "z",
    dw2_from: str = "h",
    output_gate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The backward pass with a classic mistake switched on (the defaults give the right gradients).

    ``gate``: what the ReLU derivative is taken from: "z" (right), "dh" (the sign of the incoming gradient),
    "dlogits" (the sign of the output gradient, possible when H == C) or "none" (no ReLU derivative).
    ``dw2_from``: "h" (right) or "z" (the pre-activation). ``output_gate``: a ReLU derivative at the output too.
    """
    z = x @ W1.T + b1
    h = np.maximum(z, 0.0)
    if output_gate:
        dlogits = dlogits * (h @ W2.T + b2 > 0)
    dW2 = dlogits.T @ (h if dw2_from == "h" else z)
    db2 = dlogits.sum(axis=0)
    dh = dlogits @ W2
    if gate == "z":
        dz = dh * (z > 0)
    elif gate == "dh":
        dz = dh * (dh > 0)
    elif gate == "dlogits":
        dz = dh * (dlogits > 0)
    else:
        dz = dh
    return dz @ W1, dz.T @ x, dz.sum(axis=0), dW2, db2


def _variant_detector(sentence: str, outputs: tuple[str, ...], **mistake: Value) -> Detector:
    """Fires when one of ``outputs`` equals what ``_mistaken_backward`` gives with ``mistake`` (and that differs)."""

    def detect(ctx: DiagnosisContext) -> str | None:
        a: Mapping[str, Value] = ctx.call.args
        try:
            grads = _mistaken_backward(a["dlogits"], a["x"], a["W1"], a["b1"], a["W2"], a["b2"], **mistake)
            variant = dict(zip(GRADS, grads, strict=True))
        except ValueError:  # e.g. gating on dlogits when H != C: the mistake cannot happen on this call
            return None
        for name in outputs:
            if diagnose.matches_variant(ctx.got.get(name), variant[name], ctx.expected[name]):
                return sentence
        return None

    return detect


_GATE_SIGN = _variant_detector(
    "the ReLU gate uses the sign of the incoming gradient (dh > 0): gate by the forward pre-activation,"
    " dz = dh * (z > 0) with z = x @ W1.T + b1",
    ("dW1", "db1", "dx"),
    gate="dh",
)
_GATE_DLOGITS = _variant_detector(
    "the ReLU gate is taken from dlogits: the mask must come from the hidden layer's forward pre-activation,"
    " dz = dh * (z > 0) with z = x @ W1.T + b1",
    ("dW1", "db1", "dx"),
    gate="dlogits",
)
_NO_RELU_GRAD = _variant_detector(
    "the ReLU derivative is missing: the gradient reaching the first layer must be zero where z = x @ W1.T + b1"
    " is negative (dz = dh * (z > 0))",
    ("dW1", "db1", "dx"),
    gate="none",
)
_DW2_FROM_Z = _variant_detector(
    "dW2 uses the pre-activation z: the second layer's input is h = relu(z), so dW2 = dlogits.T @ h",
    ("dW2",),
    dw2_from="z",
)
_OUTPUT_GATE = _variant_detector(
    "the backward applies a ReLU derivative at the output: the output layer has no activation, so dlogits flows"
    " into W2, b2 and h unchanged",
    ("dW2", "db2", "dW1", "dx"),
    output_gate=True,
)


# ---------------------------------------------------------------------------------------------------------------
# Cases.


def _layer_inputs(
    rng: np.random.Generator, n: int, d: int, h: int, c: int
) -> dict[str, np.ndarray]:
    """x, W1, b1, W2, b2 with every hidden pre-activation at least KINK_MARGIN away from zero."""
    while True:
        x, W1, b1 = normal(rng, n, d), normal(rng, h, d, scale=0.7), normal(rng, h, scale=0.5)
        z = x @ W1.T + b1
        if np.min(np.abs(z)) >= KINK_MARGIN and np.any(z > 0) and np.any(z < 0):
            return {"x": x, "W1": W1, "b1": b1, "W2": normal(rng, c, h, scale=0.7), "b2": normal(rng, c, scale=0.5)}


# name, N, D, H, C, visible, what
_SHAPES: tuple[tuple[str, int, int, int, int, bool, str], ...] = (
    ("example", 3, 2, 4, 3, True, "a batch of 3, 2 inputs, 4 hidden units, 3 classes"),
    ("batch1", 1, 4, 5, 3, False, "a batch of one example"),
    ("tall", 6, 5, 3, 4, False, "more inputs than hidden units"),
    ("hidden_eq_classes", 4, 3, 5, 5, False, "as many hidden units as classes: W2 is square"),
    ("inputs_eq_hidden", 5, 4, 4, 3, False, "as many inputs as hidden units: W1 is square"),
    ("larger", 8, 6, 7, 2, False, "a batch of 8, 6 inputs, 7 hidden units, 2 classes"),
)


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    for name, n, d, h, c, visible, what in _SHAPES:
        args = _layer_inputs(rng, n, d, h, c)
        cases.append(
            Case(f"forward_{name}", (Call("mlp2_forward", dict(args)),), visible, description=f"forward: {what}")
        )
        back = {"dlogits": upstream(rng, n, c), **args}
        cases.append(
            Case(f"backward_{name}", (Call("mlp2_backward", back),), visible, description=f"backward: {what}")
        )
    return cases


TASK = pair_task(
    "mlp2", "Two-layer MLP forward and backward",
    ((params("x", "W1", "b1", "W2", "b2"), ("logits",)), (params("dlogits", "x", "W1", "b1", "W2", "b2"), GRADS)),
    (mlp2_forward, mlp2_backward), _cases,
    (
        (_forward_mistakes,),
        (
            _GATE_SIGN,
            _GATE_DLOGITS,
            _NO_RELU_GRAD,
            _DW2_FROM_Z,
            _OUTPUT_GATE,
            diagnose.transposed("dW1"),
            diagnose.transposed("dW2"),
            diagnose.not_summed("db1"),
            diagnose.not_summed("db2"),
            diagnose.scaled("dW1", batch_arg="x"),
            diagnose.scaled("dW2", batch_arg="x"),
        ),
    ),
    {"x": 0, "W1": 1, "b1": 2, "W2": 3, "b2": 4}, upstream_arg="dlogits",
)
