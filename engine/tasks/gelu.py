"""Task ``gelu``: GELU as torch.nn.functional.gelu, exact (``approximate="none"``) or tanh-approximated.

exact:  y = x * Phi(x),  Phi(x) = (1 + erf(x / sqrt(2))) / 2,   dy/dx = Phi(x) + x * phi(x), phi the normal pdf
tanh:   y = x/2 * (1 + tanh(u)),  u = sqrt(2/pi) * (x + 0.044715 x^3),
        dy/dx = (1 + tanh(u)) / 2 + x/2 * (1 - tanh(u)^2) * sqrt(2/pi) * (1 + 3 * 0.044715 x^2)

Telling the two modes apart. The tanh form differs from the exact one by at most 4.7e-4 (at |x| ~ 2.70) in the
forward and 8.7e-4 (at |x| ~ 2.02) in the derivative. The comparison is relative to max(1, max|expected|), so the
"mode" cases keep every |y| below 1 (negative x near -2.7 and -2.0, small positive x): there the scale is 1 and
the approximation error is 4 to 8 times the tolerance of 1e-4 (pinned by a test), while a correct float32
computation errs by about 1e-7.
"""

from __future__ import annotations

import math

import numpy as np

from engine import diagnose
from engine.task import Call, Case, DiagnosisContext
from engine.tasks._task_builders import pair_task
from engine.tasks._util import normal, params, sigmoid, upstream

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
CUBIC = 0.044715
MODES = ("none", "tanh")


def _erf(z: np.ndarray) -> np.ndarray:
    """math.erf elementwise (NumPy has no erf)."""
    out: np.ndarray = np.vectorize(math.erf, otypes=[np.float64])(z)
    return out


def _cdf(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))
    return out


def _pdf(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return out


def _tanh_inner(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.tanh(SQRT_2_OVER_PI * (x + CUBIC * x**3))
    return out


def _check_mode(approximate: str) -> None:
    if approximate not in MODES:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_forward(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """x (any shape) -> y, same shape: x * Phi(x) ("none") or its tanh approximation ("tanh")."""
    _check_mode(approximate)
    x = np.asarray(x, dtype=np.float64)
    if approximate == "tanh":
        y: np.ndarray = 0.5 * x * (1.0 + _tanh_inner(x))
        return y
    exact: np.ndarray = x * _cdf(x)
    return exact


def gelu_derivative(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """The local derivative dy/dx of :func:`gelu_forward`, elementwise."""
    _check_mode(approximate)
    x = np.asarray(x, dtype=np.float64)
    if approximate == "tanh":
        t = _tanh_inner(x)
        d: np.ndarray = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * CUBIC * x * x)
        return d
    exact: np.ndarray = _cdf(x) + x * _pdf(x)
    return exact


def gelu_backward(dy: np.ndarray, x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """dy, x (same shape) -> dx = dy * gelu'(x)."""
    out: np.ndarray = np.asarray(dy, dtype=np.float64) * gelu_derivative(x, approximate)
    return out


# ---------------------------------------------------------------------------------------------------- variants


def _mode(ctx: DiagnosisContext) -> str:
    return str(ctx.call.args.get("approximate", "none"))


def _forward_variants(x: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "sigmoid": x * sigmoid(1.702 * x),
        "erf_no_sqrt2": 0.5 * x * (1.0 + _erf(x)),
        "no_x": _cdf(x),
        "tanh_no_cubic": 0.5 * x * (1.0 + np.tanh(SQRT_2_OVER_PI * x)),
    }


def _backward_variants(dy: np.ndarray, x: np.ndarray, mode: str) -> dict[str, np.ndarray]:
    if mode == "tanh":
        t = _tanh_inner(x)
        return {
            "no_x_term": dy * 0.5 * (1.0 + t),
            "no_chain": dy * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI),
        }
    s = sigmoid(1.702 * x)
    return {
        "no_x_term": dy * _cdf(x),
        "sigmoid": dy * (s + 1.702 * x * s * (1.0 - s)),
        "pdf_only": dy * x * _pdf(x),
    }


# ---------------------------------------------------------------------------------------------------- detectors


def _forward_other_mode(ctx: DiagnosisContext) -> str | None:
    x, mode = ctx.call.args["x"], _mode(ctx)
    other = "none" if mode == "tanh" else "tanh"
    if diagnose.matches_variant(ctx.got.get("y"), gelu_forward(x, other), ctx.expected["y"]):
        if mode == "none":
            return (
                "y uses the tanh approximation although approximate='none' asks for the exact GELU"
                " x * Phi(x) = x/2 * (1 + erf(x / sqrt(2)))"
            )
        return "y is the exact GELU although approximate='tanh' asks for the tanh approximation"
    return None


def _forward_sigmoid(ctx: DiagnosisContext) -> str | None:
    x = ctx.call.args["x"]
    if diagnose.matches_variant(ctx.got.get("y"), _forward_variants(x)["sigmoid"], ctx.expected["y"]):
        return (
            "y is the sigmoid approximation x * sigmoid(1.702 x): use the exact erf form, or the tanh form when"
            " approximate='tanh'"
        )
    return None


def _forward_formula(ctx: DiagnosisContext) -> str | None:
    x = ctx.call.args["x"]
    got, exp = ctx.got.get("y"), ctx.expected["y"]
    variants = _forward_variants(x)
    if diagnose.matches_variant(got, variants["erf_no_sqrt2"], exp):
        return "y uses erf(x) instead of erf(x / sqrt(2)): Phi(x) = (1 + erf(x / sqrt(2))) / 2"
    if diagnose.matches_variant(got, variants["no_x"], exp):
        return "y is Phi(x), the normal CDF, alone: GELU is x * Phi(x)"
    if diagnose.matches_variant(got, variants["tanh_no_cubic"], exp):
        return "y leaves out the cubic term: the tanh form is tanh(sqrt(2/pi) * (x + 0.044715 x^3))"
    return None


def _backward_other_mode(ctx: DiagnosisContext) -> str | None:
    dy, x, mode = ctx.call.args["dy"], ctx.call.args["x"], _mode(ctx)
    other = "none" if mode == "tanh" else "tanh"
    if diagnose.matches_variant(ctx.got.get("dx"), gelu_backward(dy, x, other), ctx.expected["dx"]):
        if mode == "none":
            return (
                "dx is the derivative of the tanh approximation although approximate='none' asks for the exact"
                " GELU: dx = dy * (Phi(x) + x * phi(x))"
            )
        return "dx is the derivative of the exact GELU although approximate='tanh' asks for the tanh approximation"
    return None


def _backward_missing_term(ctx: DiagnosisContext) -> str | None:
    dy, x, mode = ctx.call.args["dy"], ctx.call.args["x"], _mode(ctx)
    got, exp = ctx.got.get("dx"), ctx.expected["dx"]
    variants = _backward_variants(dy, x, mode)
    if diagnose.matches_variant(got, variants["no_x_term"], exp):
        if mode == "tanh":
            return (
                "dx is missing the term from differentiating tanh: y = x * g(x) with g = (1 + tanh(u)) / 2, so"
                " dy/dx = g(x) + x * g'(x) (product rule)"
            )
        return "dx forgets the x * phi(x) term: d/dx [x * Phi(x)] = Phi(x) + x * phi(x) (product rule)"
    if mode == "none" and diagnose.matches_variant(got, variants["pdf_only"], exp):
        return "dx keeps only x * phi(x): the product rule gives Phi(x) + x * phi(x)"
    if mode == "tanh" and diagnose.matches_variant(got, variants["no_chain"], exp):
        return (
            "dx forgets the inner derivative of u = sqrt(2/pi) * (x + 0.044715 x^3): multiply by"
            " sqrt(2/pi) * (1 + 3 * 0.044715 x^2)"
        )
    return None


def _backward_sigmoid(ctx: DiagnosisContext) -> str | None:
    dy, x = ctx.call.args["dy"], ctx.call.args["x"]
    variant = _backward_variants(dy, x, "none")["sigmoid"]
    if diagnose.matches_variant(ctx.got.get("dx"), variant, ctx.expected["dx"]):
        return "dx differentiates the sigmoid approximation x * sigmoid(1.702 x): use the exact or the tanh form"
    return None


# ---------------------------------------------------------------------------------------------------- cases


def mode_probe_inputs(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values where the two modes differ most while every |gelu(x)| and |gelu'(x)| stays near or below 1.

    Negative values near -2.7 (largest forward gap) and -2.0 (largest derivative gap), and small values in
    [-0.9, 0.9] (|y| < 0.75), so the comparison's scale stays 1 and the gap is measured in full.
    """
    size = int(np.prod(shape))
    kind = rng.integers(0, 3, size)
    x = np.where(
        kind == 0,
        rng.uniform(-2.9, -2.5, size),
        np.where(kind == 1, rng.uniform(-2.2, -1.85, size), rng.uniform(-0.9, 0.9, size)),
    )
    x[:2] = (-2.70, -2.02)
    out: np.ndarray = x.reshape(shape)
    return out


def mode_probe_upstream(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Upstream gradients of magnitude 0.6 to 0.9 with random signs (never all ones; keeps |dx| below 1)."""
    out: np.ndarray = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.6, 0.9, size=shape)
    return out


def _call(function: str, args: dict[str, object], approximate: str | None) -> Call:
    if approximate is not None:
        args = {**args, "approximate": approximate}
    return Call(function, args)


def _wide(rng: np.random.Generator) -> np.ndarray:
    """24 values spread over [-8, 8], both ends included, in a random order. Drawn from a child of ``rng``, which
    leaves rng's own draws (and so the examples generated after these cases) as they were."""
    child = rng.spawn(1)[0]
    x = np.concatenate([[-8.0, 8.0], child.uniform(-8.0, 8.0, 22)])
    out: np.ndarray = child.permutation(x)
    return out


def _cases(rng: np.random.Generator) -> list[Case]:
    cases: list[Case] = []
    # name, x, approximate (None: left at the default "none"), visible, what
    inputs: list[tuple[str, np.ndarray, str | None, bool, str]] = [
        ("example", normal(rng, 2, 3, scale=1.5), None, True, "2 rows of 3 values, approximate left at 'none'"),
        ("tanh_example", normal(rng, 2, 3, scale=1.5), "tanh", False, "2 rows of 3 values, approximate='tanh'"),
        ("exact_explicit", normal(rng, 3, 4, scale=2.0), "none", False, "approximate='none' passed explicitly"),
        ("batch1", normal(rng, 1, 6, scale=2.0), None, False, "a batch of one"),
        ("vector_tanh", normal(rng, 9, scale=2.0), "tanh", False, "a 1-D input, approximate='tanh'"),
        ("leading3d", normal(rng, 2, 3, 4, scale=2.0), None, False, "a 3-D input"),
        ("leading3d_tanh", normal(rng, 2, 4, 3, scale=2.0), "tanh", False, "a 3-D input, approximate='tanh'"),
        (
            "wide_range",
            _wide(rng).reshape(4, 6),
            None,
            False,
            "x from -8 to 8, where GELU is nearly 0 on the left and nearly x on the right",
        ),
        (
            "wide_range_tanh",
            _wide(rng).reshape(6, 4),
            "tanh",
            False,
            "x from -8 to 8, approximate='tanh'",
        ),
        (
            "mode_probe",
            mode_probe_inputs(rng, 5, 8),
            None,
            False,
            "x near -2.7 and -2, where the tanh approximation is furthest from the exact GELU",
        ),
        (
            "mode_probe_tanh",
            mode_probe_inputs(rng, 4, 7),
            "tanh",
            False,
            "x near -2.7 and -2 with approximate='tanh', where the exact GELU is furthest from the approximation",
        ),
    ]
    for name, x, mode, visible, what in inputs:
        call = _call("gelu_forward", {"x": x}, mode)
        cases.append(Case(f"forward_{name}", (call,), visible, description=f"forward: {what}"))
    for name, x, mode, visible, what in inputs:
        if name == "example":
            x = normal(rng, 3, 2, scale=1.5)
        if name.startswith("mode_probe"):
            x = mode_probe_inputs(rng, *x.shape)
            dy = mode_probe_upstream(rng, *x.shape)
        else:
            dy = upstream(rng, *x.shape)
        call = _call("gelu_backward", {"dy": dy, "x": x}, mode)
        cases.append(Case(f"backward_{name}", (call,), visible, description=f"backward: {what}"))
    return cases


TASK = pair_task(
    "gelu", "GELU forward and backward (exact and tanh approximation)",
    ((params("x", approximate="'none'"), ("y",)), (params("dy", "x", approximate="'none'"), ("dx",))),
    (gelu_forward, gelu_backward), _cases,
    (
        (_forward_other_mode, _forward_sigmoid, _forward_formula),
        (
            _backward_other_mode,
            _backward_missing_term,
            _backward_sigmoid,
            diagnose.upstream_ignored("dx"),
            diagnose.scaled("dx"),
        ),
    ),
    {"x": None},
)
