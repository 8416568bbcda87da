"""Task ``swiglu``: the SwiGLU feed-forward gate y = silu(x @ W.T) * (x @ V.T), and its backward.

x (N, D); W and V (H, D) in torch.nn.Linear's layout, no biases; a = x @ W.T and b = x @ V.T are (N, H);
silu(a) = a * sigmoid(a); y (N, H). W feeds the gate (through silu), V the value.

Backward, with s = sigmoid(a):  da = dy * b * s * (1 + a * (1 - s)),  db = dy * silu(a),
dx = da @ W + db @ V,  dW = da.T @ x,  dV = db.T @ x.
"""

from __future__ import annotations

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, sigmoid, upstream


def swiglu_forward(x: np.ndarray, W: np.ndarray, V: np.ndarray) -> np.ndarray:
    """x (N, D), W (H, D), V (H, D) -> y = silu(x @ W.T) * (x @ V.T), (N, H)."""
    a, b = x @ W.T, x @ V.T
    out: np.ndarray = a * sigmoid(a) * b
    return out


def _grads(
    dy: np.ndarray, x: np.ndarray, W: np.ndarray, V: np.ndarray, da: np.ndarray, db: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return da @ W + db @ V, da.T @ x, db.T @ x


def swiglu_backward(
    dy: np.ndarray, x: np.ndarray, W: np.ndarray, V: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (N, H) -> dx (N, D), dW (H, D), dV (H, D)."""
    a, b = x @ W.T, x @ V.T
    s = sigmoid(a)
    da = dy * b * s * (1.0 + a * (1.0 - s))
    db = dy * a * s
    return _grads(dy, x, W, V, da, db)


# ---------------------------------------------------------------------------------------------------- detectors


def _args(ctx: DiagnosisContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a = ctx.call.args
    return a["x"], a["W"], a["V"]


def _forward_swapped(ctx: DiagnosisContext) -> str | None:
    x, W, V = _args(ctx)
    if diagnose.matches_variant(ctx.got.get("y"), swiglu_forward(x, V, W), ctx.expected["y"]):
        return "y gates with V and passes W through: silu applies to a = x @ W.T, and b = x @ V.T is the value"
    return None


def _forward_gate(ctx: DiagnosisContext) -> str | None:
    x, W, V = _args(ctx)
    a, b = x @ W.T, x @ V.T
    got, exp = ctx.got.get("y"), ctx.expected["y"]
    if diagnose.matches_variant(got, sigmoid(a) * b, exp):
        return "y uses sigmoid(a) as the gate (GLU): SwiGLU uses silu(a) = a * sigmoid(a)"
    if diagnose.matches_variant(got, a * sigmoid(a) + b, exp) or diagnose.matches_variant(
        got, a * sigmoid(a) * sigmoid(b) * b, exp
    ):
        return "y must be the elementwise product silu(a) * b, with b = x @ V.T left linear"
    return None


def _forward_layout(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("y"), ctx.expected["y"]
    if got is None or got.ndim != 2 or got.shape == exp.shape or got.shape != exp.T.shape:
        return None
    if diagnose.close(got.T, exp):
        return "y is transposed, (H, N): rows are examples, y = silu(x @ W.T) * (x @ V.T) has shape (N, H)"
    return None


def _variant(ctx: DiagnosisContext, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dy = ctx.call.args["dy"]
    x, W, V = _args(ctx)
    a, b = x @ W.T, x @ V.T
    s = sigmoid(a)
    da = dy * b * s * (1.0 + a * (1.0 - s))
    db = dy * a * s
    if kind == "sigmoid_only":
        da = dy * b * s
    elif kind == "silu_times_s":
        da = dy * b * s * (1.0 - s)
    elif kind == "swapped":
        dx, dW, dV = swiglu_backward(dy, x, V, W)
        return dx, dV, dW
    if kind == "dx_gate_only":
        return da @ W, da.T @ x, db.T @ x
    if kind == "dx_value_only":
        return db @ V, da.T @ x, db.T @ x
    if kind == "dx_same_weight":
        return (da + db) @ W, da.T @ x, db.T @ x
    return _grads(dy, x, W, V, da, db)


def _matches(ctx: DiagnosisContext, kind: str, outputs: tuple[str, ...]) -> bool:
    variant = dict(zip(("dx", "dW", "dV"), _variant(ctx, kind), strict=True))
    return any(diagnose.matches_variant(ctx.got.get(o), variant[o], ctx.expected[o]) for o in outputs)


def _silu_derivative(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, "sigmoid_only", ("dW", "dx")):
        return (
            "the gradient through silu uses sigmoid(a) alone: silu'(a) = s + a * s * (1 - s) with s = sigmoid(a)"
            " (product rule)"
        )
    if _matches(ctx, "silu_times_s", ("dW", "dx")):
        return "the gradient through silu uses sigmoid'(a) = s * (1 - s): silu'(a) = s * (1 + a * (1 - s))"
    return None


def _dx_one_path(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, "dx_gate_only", ("dx",)) or _matches(ctx, "dx_value_only", ("dx",)):
        return "dx follows only one of the two branches: x feeds both a and b, so dx = da @ W + db @ V"
    if _matches(ctx, "dx_same_weight", ("dx",)):
        return "dx multiplies both branch gradients by W: dx = da @ W + db @ V"
    return None


def _swapped_backward(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, "swapped", ("dW", "dV", "dx")):
        return "the backward treats V as the gate and W as the value: silu applies to a = x @ W.T"
    got_w, got_v = ctx.got.get("dW"), ctx.got.get("dV")
    if diagnose.matches_variant(got_w, ctx.expected["dV"], ctx.expected["dW"]) and diagnose.matches_variant(
        got_v, ctx.expected["dW"], ctx.expected["dV"]
    ):
        return "dW and dV are swapped: return (dx, dW, dV) in this order"
    return None


def _cases(rng: np.random.Generator) -> list[Case]:
    # name, N, D, H, visible, what
    shapes = [
        ("example", 2, 3, 4, True, "a batch of 2, D = 3, H = 4"),
        ("batch1", 1, 5, 3, False, "a batch of one"),
        ("wide_hidden", 4, 3, 8, False, "more hidden units than inputs (H > D), as in a feed-forward block"),
        ("narrow_hidden", 6, 7, 2, False, "fewer hidden units than inputs"),
        ("square", 5, 4, 4, False, "H = D, where a transposed weight keeps its shape"),
        ("large_preacts", 3, 6, 5, False, "pre-activations up to about 10 in magnitude"),
    ]
    cases: list[Case] = []
    for name, n, d, h, visible, what in shapes:
        scale = 1.5 if name == "large_preacts" else 0.7
        x, W, V = normal(rng, n, d), normal(rng, h, d, scale=scale), normal(rng, h, d, scale=scale)
        cases.append(
            Case(f"forward_{name}", (Call("swiglu_forward", {"x": x, "W": W, "V": V}),), visible,
                 description=f"forward: {what}")
        )
        dy = upstream(rng, n, h)
        cases.append(
            Case(f"backward_{name}", (Call("swiglu_backward", {"dy": dy, "x": x, "W": W, "V": V}),), visible,
                 description=f"backward: {what}")
        )
    return cases


TASK = pair_task(
    "swiglu", "SwiGLU gate forward and backward",
    ((params("x", "W", "V"), ("y",)), (params("dy", "x", "W", "V"), ("dx", "dW", "dV"))),
    (swiglu_forward, swiglu_backward), _cases,
    (
        (_forward_swapped, _forward_gate, _forward_layout),
        (
            _silu_derivative,
            _dx_one_path,
            _swapped_backward,
            diagnose.transposed("dW"),
            diagnose.transposed("dV"),
            diagnose.upstream_ignored("dx"),
            diagnose.scaled("dW", batch_arg="x"),
            diagnose.scaled("dV", batch_arg="x"),
        ),
    ),
    {"x": 0, "W": 1, "V": 2},
)
