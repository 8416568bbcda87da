"""Task ``gru_backward``: the backward pass of one GRU step (torch.nn.GRUCell layout), with its forward.

The forward is the ``gru_cell`` task's (engine/tasks/gru_cell.py): gates r, z, n in row blocks of H, and
n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn)), h' = (1 - z) * n + z * h. The backward takes dh (N, H) and
returns the gradients of x, h_prev and the four parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.task import Case, Detector, DiagnosisContext, FunctionSpec, GradientLink, Task
from engine.tasks import gru_cell
from engine.tasks._util import call_arrays, params, with_backward_cases
from engine.tasks._variants import gradients_variant
from engine.tasks.gru_cell import gru_cell_forward, gru_gates

_ARGS = ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh")
NAMES = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
Grads = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def gru_cell_backward(
    dh: np.ndarray,
    x: np.ndarray,
    h_prev: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray,
    b_hh: np.ndarray,
    *,
    r_on_recurrent: bool = True,
    direct_path: bool = True,
    dz_sign: float = 1.0,
    through_reset: bool = True,
    tanh_derivative: bool = True,
) -> Grads:
    """dh (N, H) -> dx (N, D), dh_prev (N, H), dW_ih (3H, D), dW_hh (3H, H), db_ih (3H,), db_hh (3H,).

    With a_r, a_z the gate pre-activations and a_n = gi_n + r * gh_n (gi = x W_ih^T + b_ih, gh = h W_hh^T + b_hh):
    dn = dh (1 - z), dz = dh (h - n), da_n = dn (1 - n^2), dr = da_n * gh_n, da_r = dr r (1 - r),
    da_z = dz z (1 - z); dgi = [da_r, da_z, da_n], dgh = [da_r, da_z, r * da_n].

    The keyword-only knobs make the classic mistakes for the detectors: ``r_on_recurrent`` False, the n block of
    dgh misses the factor r; ``direct_path`` False, dh_prev misses z * dh; ``dz_sign`` -1, dz = dh (n - h);
    ``through_reset`` False, no gradient reaches r; ``tanh_derivative`` False, da_n = dn.
    """
    x, h_prev = np.asarray(x, dtype=np.float64), np.asarray(h_prev, dtype=np.float64)
    r, z, n, gh_n = gru_gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    dn = dh * (1.0 - z)
    dz = dz_sign * dh * (h_prev - n)
    da_n = dn * (1.0 - n * n) if tanh_derivative else dn
    dr = da_n * gh_n if through_reset else np.zeros_like(da_n)
    da_r = dr * r * (1.0 - r)
    da_z = dz * z * (1.0 - z)
    dgi = np.concatenate([da_r, da_z, da_n], axis=1)
    dgh = np.concatenate([da_r, da_z, r * da_n if r_on_recurrent else da_n], axis=1)
    dh_prev = dgh @ W_hh + (dh * z if direct_path else 0.0)
    return dgi @ W_ih, dh_prev, dgi.T @ x, dgh.T @ h_prev, dgi.sum(axis=0), dgh.sum(axis=0)


# ---------------------------------------------------------------------------------------------------- cases


def _cases(rng: np.random.Generator) -> list[Case]:
    """The gru_cell task's forward cases, and the same shapes again with fresh values and an upstream gradient."""
    forward, backward = with_backward_cases(
        gru_cell.TASK.make_cases, rng, "gru_cell_backward", "dh", lambda args: args["h_prev"].shape
    )
    return forward + backward


# ---------------------------------------------------------------------------------------------------- detectors


def _mistake(text: str, names: tuple[str, ...], **knobs: Any) -> Detector:
    def variant(ctx: DiagnosisContext) -> dict[str, np.ndarray]:
        return dict(zip(NAMES, gru_cell_backward(*call_arrays(ctx, "dh", *_ARGS), **knobs), strict=True))

    return gradients_variant(text, names, variant)


TASK = Task(
    id="gru_backward",
    title="GRU cell backward (torch layout)",
    functions=(
        FunctionSpec("gru_cell_forward", params(*_ARGS), ("h",)),
        FunctionSpec("gru_cell_backward", params("dh", *_ARGS), NAMES),
    ),
    reference={"gru_cell_forward": gru_cell_forward, "gru_cell_backward": gru_cell_backward},
    make_cases=_cases,
    detectors={
        "gru_cell_forward": gru_cell.TASK.detectors["gru_cell_forward"],
        "gru_cell_backward": (
            _mistake(
                "dW_hh's candidate block misses the factor r: the recurrent term of n is r * (h W_hn^T + b_hn), so"
                " its gradient is r * da_n",
                ("dW_hh", "db_hh"),
                r_on_recurrent=False,
            ),
            _mistake(
                "dh_prev misses the direct path: h' = (1 - z) * n + z * h_prev, so z * dh reaches h_prev besides"
                " what flows back through the gates",
                ("dh_prev", "dx"),
                direct_path=False,
            ),
            _mistake(
                "dz has the wrong sign: h' = (1 - z) * n + z * h_prev gives dz = dh * (h_prev - n)",
                ("dx", "dW_ih"),
                dz_sign=-1.0,
            ),
            _mistake(
                "no gradient reaches the reset gate r: n depends on r through r * (h W_hn^T + b_hn), so"
                " dr = da_n * (h W_hn^T + b_hn)",
                ("dx", "dW_ih"),
                through_reset=False,
            ),
            _mistake(
                "the tanh derivative of the candidate n is missing: da_n = dn * (1 - n**2)",
                ("dx", "dW_ih"),
                tanh_derivative=False,
            ),
        ),
    },
    links=(
        GradientLink(
            "gru_cell_forward",
            "gru_cell_backward",
            {"x": 0, "h_prev": 1, "W_ih": 2, "W_hh": 3, "b_ih": 4, "b_hh": 5},
            upstream_arg="dh",
        ),
    ),
)
