"""Task ``lstm_cell``: one step of an LSTM (torch.nn.LSTMCell layout), forward and backward.

x (N, D), h_prev (N, H), c_prev (N, H), W_ih (4H, D), W_hh (4H, H), b_ih, b_hh (4H,);
gates = x W_ih^T + b_ih + h_prev W_hh^T + b_hh, split into blocks of H in the order i, f, g, o;
i, f, o = sigmoid, g = tanh; c = f * c_prev + i * g; h = o * tanh(c).
The backward receives two upstream gradients: dh into h and dc into c (from the next time step).
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, GradientLink, Task
from engine.tasks._util import call_arrays, cell_inputs, params, sigmoid, upstream

ORDER = "ifgo"
NAMES = ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
_ARGS = ("x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh")
Grads = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _gates(
    x: np.ndarray, h_prev: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray,
    *, order: str = "ifgo", g_sigmoid: bool = False, o_tanh: bool = False,
) -> dict[str, np.ndarray]:
    """The activated gates by letter (each (N, H)) from the 4 row blocks of H rows, in torch's order i, f, g, o:
    i, f, o through the sigmoid and g through tanh.

    The detectors' mistakes: ``order`` reads the blocks as other gates, ``g_sigmoid`` and ``o_tanh`` swap an
    activation."""
    hidden = h_prev.shape[-1]
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    out = {}
    for k, letter in enumerate(order):
        block = a[:, k * hidden : (k + 1) * hidden]
        tanh = (letter == "g" and not g_sigmoid) or (letter == "o" and o_tanh)
        out[letter] = np.tanh(block) if tanh else sigmoid(block)
    return out


def lstm_cell_forward(
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    *,
    order: str = "ifgo",
    g_sigmoid: bool = False,
    o_tanh: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """x (N, D), h_prev, c_prev (N, H), W_ih (4H, D), W_hh (4H, H), b_ih, b_hh (4H,) -> h, c (N, H).

    The keyword-only knobs (the gates' order and activations, see :func:`_gates`) make the detectors' mistakes."""
    gate = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh, order=order, g_sigmoid=g_sigmoid, o_tanh=o_tanh)
    c = gate["f"] * c_prev + gate["i"] * gate["g"]
    return gate["o"] * np.tanh(c), c


def lstm_cell_backward(
    dh: np.ndarray,
    dc: np.ndarray,
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    *,
    order: str = "ifgo",
    g_sigmoid: bool = False,
    o_tanh: bool = False,
    use_dc: bool = True,
    tanh_c_derivative: bool = True,
    dc_prev_times_f: bool = True,
) -> Grads:
    """dh, dc (N, H) -> dx (N, D), dh_prev, dc_prev (N, H), dW_ih (4H, D), dW_hh (4H, H), db_ih, db_hh (4H,).

    The keyword-only knobs make the classic mistakes for the detectors (the defaults are right): the gates'
    ``order`` and activations (see :func:`_gates`), ``use_dc`` False ignores dc, ``tanh_c_derivative`` False drops
    tanh'(c), ``dc_prev_times_f`` False leaves the forget gate out of dc_prev.
    """
    gate = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh, order=order, g_sigmoid=g_sigmoid, o_tanh=o_tanh)
    i, f, g, o = gate["i"], gate["f"], gate["g"], gate["o"]
    c = f * c_prev + i * g
    tc = np.tanh(c)
    # The gradient into c: the path through h = o * tanh(c), plus the cell's own upstream dc.
    dct = dh * o * ((1.0 - tc**2) if tanh_c_derivative else 1.0)
    if use_dc:
        dct = dct + dc
    local = {
        "i": dct * g * i * (1.0 - i),  # sigmoid' = s (1 - s)
        "f": dct * c_prev * f * (1.0 - f),
        "g": dct * i * (g * (1.0 - g) if g_sigmoid else (1.0 - g**2)),  # tanh' = 1 - t^2
        "o": dh * tc * (1.0 - o**2) if o_tanh else dh * tc * o * (1.0 - o),
    }
    da = np.concatenate([local[letter] for letter in order], axis=1)
    db = da.sum(axis=0)
    dc_prev = dct * f if dc_prev_times_f else dct
    return da @ W_ih, da @ W_hh, dc_prev, da.T @ x, da.T @ h_prev, db, db.copy()


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []

    def inputs(n: int, d: int, hidden: int) -> dict[str, np.ndarray]:
        return cell_inputs(rng, n, d, hidden, 4, cell_state=True)

    def forward(name: str, n: int, d: int, hidden: int, what: str, visible: bool = False) -> None:
        call = Call("lstm_cell_forward", inputs(n, d, hidden))
        cases.append(Case(f"forward_{name}", (call,), visible, description=f"forward: {what}"))

    def backward(
        name: str, n: int, d: int, hidden: int, what: str, visible: bool = False, dh: bool = True, dc: bool = True
    ) -> None:
        grads = {
            "dh": upstream(rng, n, hidden) if dh else np.zeros((n, hidden)),
            "dc": upstream(rng, n, hidden) if dc else np.zeros((n, hidden)),
        }
        call = Call("lstm_cell_backward", {**grads, **inputs(n, d, hidden)})
        cases.append(Case(f"backward_{name}", (call,), visible, description=f"backward: {what}"))

    forward("example", 2, 3, 2, "a batch of 2, input size 3, hidden size 2 (gates of 8 rows)", visible=True)
    backward(
        "example_last_step",
        2,
        3,
        2,
        "the last time step: dc = 0, only h feeds the loss",
        visible=True,
        dc=False,
    )
    backward("example", 2, 3, 2, "a middle time step: both dh and dc are given", visible=True)
    forward("batch1", 1, 4, 3, "a batch of one example")
    forward("wide_hidden", 3, 2, 5, "hidden size 5 larger than input size 2")
    forward("tall", 5, 6, 3, "a batch of 5, input size 6, hidden size 3")
    forward("square", 4, 4, 4, "input size = hidden size")
    backward("batch1", 1, 4, 3, "a batch of one example")
    backward("wide_hidden", 3, 2, 5, "hidden size 5 larger than input size 2")
    backward("tall", 5, 6, 3, "a batch of 5, input size 6, hidden size 3")
    backward("square", 4, 4, 4, "input size = hidden size, where a transposed dW_hh keeps its shape")
    backward("last_step", 3, 5, 2, "dc = 0 (the last time step)", dc=False)
    backward("cell_only", 3, 3, 4, "dh = 0: the gradient arrives through the cell state alone", dh=False)
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _explains(ctx: DiagnosisContext, names: tuple[str, ...], variant: tuple[np.ndarray, ...]) -> bool:
    """The mistaken ``variant`` accounts for the submission: every one of ``names`` it changes is what the
    submission returned (so one mistake is not named for another that only shares some of its outputs)."""
    changed = [
        (name, v)
        for name, v in zip(names, variant, strict=True)
        if name in ctx.expected and not diagnose.close(v, ctx.expected[name])
    ]
    return bool(changed) and all(diagnose.close(ctx.got.get(name), v) for name, v in changed)


def _forward_matches(ctx: DiagnosisContext, **knobs: Any) -> bool:
    return _explains(ctx, ("h", "c"), lstm_cell_forward(*call_arrays(ctx, *_ARGS), **knobs))


def _backward_matches(ctx: DiagnosisContext, outputs: tuple[str, ...], **knobs: Any) -> bool:
    variant = lstm_cell_backward(*call_arrays(ctx, "dh", "dc", *_ARGS), **knobs)
    picked = [(name, v) for name, v in zip(NAMES, variant, strict=True) if name in outputs]
    return _explains(ctx, tuple(n for n, _ in picked), tuple(v for _, v in picked))


_WRONG_ORDERS = ["".join(p) for p in permutations(ORDER) if "".join(p) != ORDER]


def _order_text(order: str) -> str:
    return (
        f"the gate blocks are read in the order {', '.join(order)}; torch's LSTMCell stacks them as i, f, g, o"
        " (input, forget, cell candidate, output), each H rows of W_ih, W_hh, b_ih and b_hh"
    )


_G_SIGMOID = "the cell candidate g goes through a sigmoid; g uses tanh (only i, f and o use the sigmoid)"
_SWAPPED = (
    "the activations of g and o are swapped (sigmoid on the cell candidate g, tanh on the output gate o);"
    " g uses tanh, and i, f and o use the sigmoid"
)


def _forward_gate_order(ctx: DiagnosisContext) -> str | None:
    for order in _WRONG_ORDERS:
        if _forward_matches(ctx, order=order):
            return _order_text(order)
    return None


def _forward_g_sigmoid(ctx: DiagnosisContext) -> str | None:
    if _forward_matches(ctx, g_sigmoid=True):
        return _G_SIGMOID
    return _SWAPPED if _forward_matches(ctx, g_sigmoid=True, o_tanh=True) else None


def _forward_no_tanh_c(ctx: DiagnosisContext) -> str | None:
    x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh = call_arrays(ctx, *_ARGS)
    gate = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c = gate["f"] * c_prev + gate["i"] * gate["g"]
    if diagnose.matches_variant(ctx.got.get("h"), gate["o"] * c, ctx.expected["h"]):
        return "h = o * c is missing the tanh: h = o * tanh(c)"
    return None


_MAIN = ("dx", "dh_prev", "dW_ih", "dW_hh")


def _backward_gate_order(ctx: DiagnosisContext) -> str | None:
    for order in _WRONG_ORDERS:
        if _backward_matches(ctx, _MAIN, order=order):
            return _order_text(order)
    return None


def _backward_g_sigmoid(ctx: DiagnosisContext) -> str | None:
    # With dh = 0 the output gate gets no gradient and the two variants coincide: name only what both share.
    if _backward_matches(ctx, _MAIN, g_sigmoid=True):
        return _G_SIGMOID
    return _SWAPPED if _backward_matches(ctx, _MAIN, g_sigmoid=True, o_tanh=True) else None


def _dc_ignored(ctx: DiagnosisContext) -> str | None:
    if _backward_matches(ctx, (*_MAIN, "dc_prev"), use_dc=False):
        return (
            "the upstream dc is ignored: the gradient into c is dc + dh * o * (1 - tanh(c)^2), the cell state's own"
            " gradient from the next step plus the path through h"
        )
    return None


def _tanh_c_derivative(ctx: DiagnosisContext) -> str | None:
    if _backward_matches(ctx, (*_MAIN, "dc_prev"), tanh_c_derivative=False):
        return "the derivative of tanh(c) is missing: the path from h to c is dh * o * (1 - tanh(c)^2)"
    return None


def _dc_prev_without_f(ctx: DiagnosisContext) -> str | None:
    if _backward_matches(ctx, ("dc_prev",), dc_prev_times_f=False):
        return "dc_prev is missing the forget gate: c = f * c_prev + i * g, so dc_prev = (gradient into c) * f"
    return None


# ---------------------------------------------------------------------------------------------------- links


LINK = GradientLink(
    "lstm_cell_forward",
    "lstm_cell_backward",
    {name: k for k, name in enumerate(_ARGS)},
    forward_output=0,
    upstream_arg="dh",
    extra_upstreams={1: "dc"},  # the gradient flows in through both h and c
)


TASK = Task(
    id="lstm_cell",
    title="LSTM cell forward and backward",
    functions=(
        FunctionSpec("lstm_cell_forward", params(*_ARGS), ("h", "c")),
        FunctionSpec("lstm_cell_backward", params("dh", "dc", *_ARGS), NAMES),
    ),
    reference={"lstm_cell_forward": lstm_cell_forward, "lstm_cell_backward": lstm_cell_backward},
    make_cases=_cases,
    detectors={
        "lstm_cell_forward": (_forward_gate_order, _forward_g_sigmoid, _forward_no_tanh_c),
        "lstm_cell_backward": (
            _backward_gate_order,
            _backward_g_sigmoid,
            _dc_ignored,
            _tanh_c_derivative,
            _dc_prev_without_f,
            diagnose.transposed("dW_ih"),
            diagnose.transposed("dW_hh"),
            diagnose.not_summed("db_ih"),
            diagnose.not_summed("db_hh"),
        ),
    },
    links=(LINK,),
)
