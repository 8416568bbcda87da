"""Task ``numerical_gradient``: the centred-difference gradient of a scalar function of an array.

    grad[i] = (f(x + eps * e_i) - f(x - eps * e_i)) / (2 * eps)       for every element i of x (any shape)

``f`` is a scalar function from ``engine/known_functions.py`` (a FunctionRef in the cases; the submission receives
the plain function). ``x`` must be left exactly as it was: a submission that perturbs x in place restores each
element (saving the original value) before moving on, or works on a copy. The judge's mutation check compares the
bytes of x before and after the call, so restoring by arithmetic (adding eps and subtracting it again) can leave
rounding differences and fails; the statement says so.

Grading. The expected output is the ANALYTIC gradient, kept in this module (never in known_functions.py, which
the sandboxed child can read), not the reference's own finite differences. The tolerance is 1e-5 relative to the
gradient's scale (max(1, max|grad|)):

* centred differences are accurate to eps**2 * |f'''| / 6 (truncation) plus about 1e-16 * |f| / eps (rounding).
  With eps = 1e-6 both are below 1e-8; with eps = 1e-3 the truncation is at most 2.4e-6 (sin_times_cos,
  |f'''| <= 14), so a correct submission passes with a margin of 4 or more;
* a one-sided (forward or backward) difference has error eps * |f''| / 2. With eps = 1e-6 that is about 1e-6 and
  passes (it cannot be seen there), but the cases with eps = 1e-3 on functions with curvature (sum of squares,
  sum of cubes, sin_times_cos, softplus near 0) put it at 1e-4 to 1e-2, ten to a thousand times the tolerance.

The reference (``numerical_gradient`` below) is the solution a candidate writes; the test-suite checks that it
agrees with the analytic gradients within a quarter of the tolerance on every case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from engine import diagnose
from engine.compare import compare
from engine.judge import combine
from engine.known_functions import KNOWN_FUNCTIONS
from engine.report import OutputCheck
from engine.task import Call, CallResult, Case, DiagnosisContext, FunctionRef, FunctionSpec, Judgement, Task
from engine.tasks._util import normal, params

TOLERANCE = 1e-5
MATCH = 5e-7  # a diagnosis's variant matches a submission this closely (relative to the gradient's scale)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred differences of the scalar f at x, one element at a time; x is restored exactly."""
    grad = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old  # put the original value back before the next element
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


# ---------------------------------------------------------------------------------------------------------------
# Analytic gradients of the known functions (parent side only).


def _softmax_all(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - np.max(x))
    out: np.ndarray = e / np.sum(e)
    return out


def _neighbour_grad(x: np.ndarray) -> np.ndarray:
    flat = x.ravel()
    out: np.ndarray = (np.roll(flat, -1) + np.roll(flat, 1)).reshape(x.shape)
    return out


ANALYTIC: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sum_of_squares": lambda x: 2.0 * x,
    "sum_of_cubes": lambda x: 3.0 * x * x,
    "log_sum_exp": _softmax_all,
    "sin_times_cos": lambda x: np.cos(x) * np.cos(2.0 * x) - 2.0 * np.sin(x) * np.sin(2.0 * x),
    "neighbour_product": _neighbour_grad,
    "softplus_sum": lambda x: 1.0 / (1.0 + np.exp(-x)),
}


def analytic_gradient(name: str, x: np.ndarray) -> np.ndarray:
    """The exact gradient of the known function ``name`` at ``x``."""
    return np.asarray(ANALYTIC[name](np.asarray(x, dtype=np.float64)), dtype=np.float64)


def _function(ref: object) -> Callable[[np.ndarray], float]:
    return KNOWN_FUNCTIONS[ref.name] if isinstance(ref, FunctionRef) else ref  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------------------
# Mistakes, computed with the real function in the parent.


def _one_sided(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float, forward: bool) -> np.ndarray:
    x = x.copy()
    base = f(x)
    out = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps if forward else old - eps
        out[i] = (f(x) - base) / eps if forward else (base - f(x)) / eps
        x[i] = old
    return out


def _all_at_once(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float) -> np.ndarray:
    d = (f(x + eps) - f(x - eps)) / (2.0 * eps)
    return np.full(x.shape, d)


def _variants(ctx: DiagnosisContext) -> Sequence[tuple[np.ndarray | None, str]]:
    f = _function(ctx.call.args["f"])
    x = np.asarray(ctx.call.args["x"], dtype=np.float64)
    eps = float(ctx.call.args.get("eps", 1e-6))
    centred = numerical_gradient(f, x.copy(), eps)
    forward = _one_sided(f, x, eps, forward=True)
    return [
        (forward, "grad uses a one-sided (forward) difference (f(x + eps e_i) - f(x)) / eps: its error is of order"
                  " eps; use the centred difference (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)"),
        (_one_sided(f, x, eps, forward=False),
         "grad uses a one-sided (backward) difference (f(x) - f(x - eps e_i)) / eps: use the centred difference"
         " (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)"),
        (2.0 * centred, "grad is twice the gradient: a centred difference divides by 2 * eps, not eps"),
        (0.5 * centred, "grad is half the gradient: a centred difference divides by 2 * eps, not 4 * eps"),
        (0.5 * forward, "grad is a one-sided difference divided by 2 * eps: either use f(x + eps e_i) - f(x - eps e_i)"
                        " over 2 * eps, or f(x + eps e_i) - f(x) over eps"),
        (-centred, "grad has the wrong sign: it is (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)"),
        (_all_at_once(f, x, eps),
         "every element of grad is the same: x was perturbed in all elements at once; perturb one element at a time"
         " (x + eps * e_i, e_i the i-th unit vector)"),
    ]


def _shape_mistake(ctx: DiagnosisContext) -> str | None:
    got, exp = ctx.got.get("grad"), ctx.expected["grad"]
    if (
        got is not None
        and got.shape != exp.shape
        and got.size == exp.size
        and diagnose.close(got.reshape(exp.shape), exp, TOLERANCE)
    ):
        return "grad is flattened (or reshaped): return it in x's shape, e.g. grad.reshape(x.shape)"
    return None


DETECTORS = (diagnose.variant_explained("grad", _variants, tol=MATCH), _shape_mistake)


# ---------------------------------------------------------------------------------------------------------------
# The custom judge: expected values are the analytic gradients; a perturbed-and-not-restored x is named.


def _judge_call(result: CallResult) -> Judgement:
    call = result.call
    x = np.asarray(call.args["x"], dtype=np.float64)
    ref = call.args["f"]
    name = ref.name if isinstance(ref, FunctionRef) else ""
    expected = {"grad": analytic_gradient(name, x)}
    value = result.value
    if isinstance(value, tuple | list):
        return Judgement(ok=False, invalid=True, message="numerical_gradient must return one array, grad")
    got = value if isinstance(value, np.ndarray) else np.asarray(value) if isinstance(value, int | float) else None
    if got is None:
        return Judgement(
            ok=False, invalid=True, message=f"grad is a {type(value).__name__}, expected an array of x's shape"
        )
    check: OutputCheck = compare("grad", expected["grad"], got, TOLERANCE)
    out = Judgement(ok=check.ok, checks=[check], message="" if check.ok else check.message)
    if result.mutated:
        out.ok = False
        out.message = (out.message + "; " if out.message else "") + f"modified {', '.join(result.mutated)}"
        out.diagnoses.append(
            "numerical_gradient left x modified: after evaluating f at x + eps e_i and x - eps e_i, put the"
            " original value back (save it: old = x[i]; ...; x[i] = old) before the next element, or work on a"
            " copy of x; adding and subtracting eps again can leave rounding differences"
        )
    if not check.ok:
        ctx = DiagnosisContext(task=TASK, call=call, got={"grad": got}, expected=expected, result=result)
        for detector in DETECTORS:
            try:
                found = detector(ctx)
            except Exception:  # a detector must never break grading
                found = None
            if found and found not in out.diagnoses:
                out.diagnoses.append(found)
    return out


def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
    """Judge every call of a case against the analytic gradient."""
    return combine(_judge_call(r) for r in results)


# ---------------------------------------------------------------------------------------------------------------
# Cases.


def _call(name: str, x: np.ndarray, eps: float | None = None) -> Call:
    args: dict[str, object] = {"f": FunctionRef(name), "x": x}
    if eps is not None:
        args["eps"] = eps
    return Call("numerical_gradient", args)


def _cases(rng: np.random.Generator) -> list[Case]:
    near_zero = np.concatenate([normal(rng, 4, scale=0.3), normal(rng, 4, scale=2.0)]).reshape(2, 4)
    return [
        Case("example", (_call("sum_of_squares", np.array([1.0, -2.0, 0.5])),), True,
             description="f = sum(x**2) at x = [1, -2, 0.5], default eps: the gradient is 2x"),
        Case("cubes_eps_1e-3", (_call("sum_of_cubes", normal(rng, 2, 5, scale=1.5), 1e-3),), True,
             description="f = sum(x**3) with eps = 1e-3: the centred difference is still within the tolerance,"
             " a one-sided one is not"),
        Case("squares_eps_1e-3", (_call("sum_of_squares", normal(rng, 3, 4), 1e-3),),
             description="f = sum(x**2) on a 3x4 array with eps = 1e-3"),
        Case("sin_cos_eps_1e-3", (_call("sin_times_cos", normal(rng, 2, 3, 2), 1e-3),),
             description="f = sum(sin(x) cos(2x)) on a 3-D array with eps = 1e-3"),
        Case("softplus_eps_1e-3", (_call("softplus_sum", near_zero, 1e-3),),
             description="f = sum(softplus(x)) with eps = 1e-3, some x near 0 where the curvature is largest"),
        Case("log_sum_exp", (_call("log_sum_exp", normal(rng, 4, 5)),),
             description="f = log(sum(exp(x))) over a 4x5 array: every element's derivative depends on all others"),
        Case("neighbour_product", (_call("neighbour_product", normal(rng, 2, 3, 4), 1e-3),),
             description="f couples each element to its neighbours (3-D x, eps = 1e-3): an x left perturbed shows"),
        Case("neighbour_product_default_eps", (_call("neighbour_product", normal(rng, 7)),),
             description="neighbour_product on a vector with the default eps"),
        Case("cubes_default_eps", (_call("sum_of_cubes", normal(rng, 3, 3, scale=2.0)),),
             description="f = sum(x**3), default eps = 1e-6"),
        Case("two_elements", (_call("sin_times_cos", normal(rng, 2), 1e-4),),
             description="a 2-element x, eps = 1e-4"),
    ]


TASK = Task(
    id="numerical_gradient",
    title="Numerical gradient by centred differences",
    functions=(FunctionSpec("numerical_gradient", params("f", "x", eps="1e-6"), ("grad",)),),
    reference={"numerical_gradient": numerical_gradient},
    make_cases=_cases,
    tolerance=TOLERANCE,
    custom_judge=judge,
)
