"""Task ``gru_cell``: one step of a GRU (torch.nn.GRUCell layout), forward only.

x (N, D), h_prev (N, H), W_ih (3H, D), W_hh (3H, H), b_ih, b_hh (3H,), row blocks of H in the order r, z, n:
r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr), z likewise,
n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)), h' = (1 - z) * n + z * h.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext, FunctionSpec, Task
from engine.tasks._util import call_arrays, cell_inputs, params, sigmoid

ORDER = "rzn"
_ARGS = ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")


def gru_gates(
    x: np.ndarray, h_prev: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray,
    *, order: str = "rzn", reset: str = "torch",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The gates r, z, n (each (N, H)) and gh_n = h W_hn^T + b_hn, the recurrent part that r scales.

    The knobs are the detectors' mistakes: ``order`` reads the weight blocks as these gates; ``reset`` is "torch"
    (r * (h W_hn^T + b_hn)), "outside_bias" (r * (h W_hn^T) + b_hn) or "before_matmul" ((r * h) W_hn^T + b_hn, the
    original paper's form).
    """
    hidden = h_prev.shape[-1]
    rows = {letter: slice(k * hidden, (k + 1) * hidden) for k, letter in enumerate(order)}
    gi = x @ W_ih.T + b_ih  # (N, 3H): blocks r, z, n
    gh = h_prev @ W_hh.T + b_hh
    r = sigmoid(gi[:, rows["r"]] + gh[:, rows["r"]])
    z = sigmoid(gi[:, rows["z"]] + gh[:, rows["z"]])
    gh_n = gh[:, rows["n"]]
    if reset == "torch":
        inner = r * gh_n  # r scales h W_hn^T + b_hn, bias included
    elif reset == "outside_bias":
        inner = r * (h_prev @ W_hh[rows["n"]].T) + b_hh[rows["n"]]
    else:
        inner = (r * h_prev) @ W_hh[rows["n"]].T + b_hh[rows["n"]]
    n = np.tanh(gi[:, rows["n"]] + inner)
    return r, z, n, gh_n


def gru_cell_forward(
    x: np.ndarray, h_prev: np.ndarray, W_ih: np.ndarray, W_hh: np.ndarray, b_ih: np.ndarray, b_hh: np.ndarray,
    *, order: str = "rzn", reset: str = "torch", z_swapped: bool = False,
) -> np.ndarray:
    """x (N, D), h_prev (N, H), W_ih (3H, D), W_hh (3H, H), b_ih, b_hh (3H,) -> h (N, H).

    The keyword-only knobs make the detectors' mistakes: ``order`` and ``reset`` as :func:`gru_gates` takes them,
    ``z_swapped`` gives z * n + (1 - z) * h.
    """
    _r, z, n, _gh_n = gru_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh, order=order, reset=reset)
    if z_swapped:
        swapped: np.ndarray = z * n + (1.0 - z) * h_prev
        return swapped
    h: np.ndarray = (1.0 - z) * n + z * h_prev
    return h


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, N, D, H, visible, what
    shapes = [
        ("example", 2, 3, 2, True, "a batch of 2, input size 3, hidden size 2 (gates of 6 rows)"),
        ("batch1", 1, 4, 3, False, "a batch of one example"),
        ("wide_hidden", 3, 2, 5, False, "hidden size 5 larger than input size 2"),
        ("tall", 6, 5, 3, False, "a batch of 6, input size 5, hidden size 3"),
        ("square", 4, 4, 4, False, "input size = hidden size"),
        ("large_bias", 3, 3, 4, False, "large recurrent biases b_hh, where the place of r matters most"),
    ]
    for name, n, d, hidden, visible, what in shapes:
        args = cell_inputs(rng, n, d, hidden, 3, b_hh_scale=1.5 if name == "large_bias" else 0.5)
        cases.append(Case(f"forward_{name}", (Call("gru_cell_forward", args),), visible, description=what))
    return cases


# ---------------------------------------------------------------------------------------------------- detectors


def _matches(ctx: DiagnosisContext, **knobs: Any) -> bool:
    variant = gru_cell_forward(*call_arrays(ctx, *_ARGS), **knobs)
    return diagnose.matches_variant(ctx.got.get("h"), variant, ctx.expected["h"])


def _reset_outside_bias(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, reset="outside_bias"):
        return (
            "r multiplies h W_hn^T but not b_hn; torch's GRUCell applies r to the whole recurrent term:"
            " n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))"
        )
    return None


def _reset_before_matmul(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, reset="before_matmul"):
        return (
            "r multiplies h before the matmul ((r * h) W_hn^T, the original GRU paper's form); torch's GRUCell"
            " applies r after it: n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))"
        )
    return None


def _z_swapped(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, z_swapped=True):
        return "z and 1 - z are swapped: h' = (1 - z) * n + z * h_prev (z keeps the old state)"
    return None


def _textbook_gru(ctx: DiagnosisContext) -> str | None:
    if _matches(ctx, reset="before_matmul", z_swapped=True):
        return (
            "this is the GRU as often written in textbooks and on Wikipedia: r multiplies h before the matmul"
            " ((r * h) W_hn^T) and z weights the candidate (h' = z * n + (1 - z) * h_prev); torch's GRUCell uses"
            " n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)) and h' = (1 - z) * n + z * h_prev"
        )
    return None


def _gate_order(ctx: DiagnosisContext) -> str | None:
    for p in permutations(ORDER):
        order = "".join(p)
        if order == ORDER:
            continue
        for z_swapped in (False, True):
            if _matches(ctx, order=order, z_swapped=z_swapped):
                return (
                    f"the gate blocks are read in the order {', '.join(order)}; torch's GRUCell stacks them as"
                    " r, z, n (reset, update, new), each H rows of W_ih, W_hh, b_ih and b_hh"
                )
    return None


TASK = Task(
    id="gru_cell",
    title="GRU cell forward",
    functions=(FunctionSpec("gru_cell_forward", params(*_ARGS), ("h",)),),
    reference={"gru_cell_forward": gru_cell_forward},
    make_cases=_cases,
    detectors={
        "gru_cell_forward": (_reset_outside_bias, _reset_before_matmul, _z_swapped, _textbook_gru, _gate_order)
    },
)
