"""Task ``clip_grad_norm``: clip a tuple of gradients by their global 2-norm, as torch.nn.utils.clip_grad_norm_.

    total_norm = sqrt(sum over every element of every gradient of g**2)     measured BEFORE clipping
    coef       = max_norm / (total_norm + eps)
    clipped    = each gradient times coef if coef < 1, else each gradient unchanged

``grads`` is a tuple of arrays of different shapes; the function returns ``(clipped, total_norm)`` with ``clipped``
a tuple (or list) of arrays in the same order and shapes and ``total_norm`` a float. The engine's generic judge
names a function's outputs as arrays, so this task has a custom judge that compares ``clipped`` element by element
(``clipped[0]``, ``clipped[1]``, ...), each relative to its own scale, and ``total_norm`` as a scalar.

eps only keeps the division finite: ignoring it changes coef by a relative eps / total_norm <= 2e-6 in the cases
(every total norm is at least 0.5), far inside the tolerance, so it is not flagged. No case has a total norm
within 1e-3 (relative) of max_norm, where "coef < 1" and "total_norm > max_norm" could disagree.

The arrays inside ``grads`` must not be modified in place (PyTorch's clip_grad_norm_ does exactly that, which is a
classic slip when the function is asked to return new arrays): the mutation check covers arrays inside tuple
arguments too (reported as ``grads[0]``, ...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine import diagnose
from engine.compare import compare
from engine.judge import combine
from engine.report import OutputCheck
from engine.task import Call, CallResult, Case, FunctionSpec, Judgement, Task
from engine.tasks._util import normal, params

TOLERANCE = 1e-4


def clip_grad_norm(
    grads: tuple[np.ndarray, ...], max_norm: float, eps: float = 1e-6
) -> tuple[tuple[np.ndarray, ...], float]:
    """grads (tuple of arrays) -> (clipped: tuple of arrays of the same shapes, total_norm: float)."""
    total_norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = max_norm / (total_norm + eps)
    if coef < 1.0:
        return tuple(g * coef for g in grads), total_norm
    return tuple(g.copy() for g in grads), total_norm


# ---------------------------------------------------------------------------------------------------------------
# Mistakes: what the classic ones return, for the diagnosis.


def _mistakes(grads: Sequence[np.ndarray], max_norm: float, eps: float) -> list[tuple[list[np.ndarray], float, str]]:
    norms = [float(np.linalg.norm(g.ravel())) for g in grads]
    total = math.sqrt(sum(n * n for n in norms))
    coef = max_norm / (total + eps)
    out: list[tuple[list[np.ndarray], float, str]] = []
    per = [g * (max_norm / (n + eps)) if max_norm / (n + eps) < 1 else g for g, n in zip(grads, norms, strict=True)]
    out.append((per, total,
                "each gradient is clipped by its own norm: clip_grad_norm uses ONE global norm over all gradients"
                " and scales every gradient by the same coef"))
    out.append(([g * coef for g in grads], total,
                "the gradients are scaled up when total_norm < max_norm: multiply by coef only when coef < 1,"
                " otherwise return them unchanged"))
    summed = sum(norms)
    c_sum = max_norm / (summed + eps)
    out.append(([g * c_sum for g in grads] if c_sum < 1 else list(grads), summed,
                "total_norm is the sum of the gradients' norms: the global norm is sqrt(sum of squared norms)"))
    squares = total * total
    c_sq = max_norm / (squares + eps)
    out.append(([g * c_sq for g in grads] if c_sq < 1 else list(grads), squares,
                "total_norm is the sum of squares without the square root: total_norm = sqrt(sum of g**2)"))
    clipped = [g * coef for g in grads] if coef < 1 else list(grads)
    out.append((clipped, min(total, total * coef),
                "total_norm is measured after clipping: return the norm of the gradients BEFORE clipping"))
    out.append(([np.clip(g, -max_norm, max_norm) for g in grads], total,
                "each element is clipped by value (clip_grad_value_): clip_grad_norm rescales all gradients by one"
                " factor, keeping their direction"))
    return out


def _diagnose(
    grads: Sequence[np.ndarray], max_norm: float, eps: float, got: list[np.ndarray | None], got_norm: np.ndarray | None
) -> list[str]:
    ref_clipped, ref_norm = clip_grad_norm(tuple(grads), max_norm, eps)
    found: list[str] = []
    for model, model_norm, text in _mistakes(grads, max_norm, eps):
        norm_differs = not diagnose.close(np.asarray(model_norm), np.asarray(ref_norm))
        clipped_differs = not all(diagnose.close(m, r) for m, r in zip(model, ref_clipped, strict=True))
        norm_matches = got_norm is not None and diagnose.close(got_norm, np.asarray(model_norm))
        clipped_matches = all(diagnose.close(g, m) for g, m in zip(got, model, strict=True))
        # the whole mistake reproduced, or its wrong total_norm alone (the clipped values may hold other errors)
        if norm_matches and ((clipped_matches and (norm_differs or clipped_differs)) or norm_differs):
            found.append(text)
    return [" or ".join(found)] if found else []


# ---------------------------------------------------------------------------------------------------------------
# The custom judge: clipped is a tuple of arrays, which the generic judge does not name.


def _as_array(value: object) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, bool | int | float):
        return np.asarray(value)
    return None


def _judge_call(result: CallResult) -> Judgement:
    out = Judgement(ok=True)
    args = result.call.args
    grads = tuple(np.asarray(g, dtype=np.float64) for g in args["grads"])
    max_norm, eps = float(args["max_norm"]), float(args.get("eps", 1e-6))
    value = result.value
    if not isinstance(value, tuple | list) or len(value) != 2:
        what = f"a {len(value)}-tuple" if isinstance(value, tuple | list) else type(value).__name__
        return Judgement(
            ok=False, invalid=True, message=f"clip_grad_norm must return a tuple (clipped, total_norm); got {what}"
        )
    got_clipped, got_norm_raw = value
    if isinstance(got_clipped, np.ndarray):
        return Judgement(
            ok=False, invalid=True,
            message="clipped must be a tuple of arrays, one per gradient in grads (got a single array)",
            diagnoses=["clipped must be a tuple (or list) of arrays, one per gradient, in the order of grads"],
        )
    if not isinstance(got_clipped, tuple | list) or len(got_clipped) != len(grads):
        what = f"{len(got_clipped)} items" if isinstance(got_clipped, tuple | list) else type(got_clipped).__name__
        return Judgement(
            ok=False, invalid=True,
            message=f"clipped must be a tuple of {len(grads)} arrays (one per gradient); got {what}",
        )
    got = [_as_array(g) for g in got_clipped]
    if any(g is None for g in got):
        return Judgement(ok=False, invalid=True, message="clipped must hold arrays, one per gradient")
    got_norm = _as_array(got_norm_raw)
    if got_norm is None:
        return Judgement(
            ok=False, invalid=True, message=f"total_norm is a {type(got_norm_raw).__name__}, expected a float"
        )
    ref_clipped, ref_norm = clip_grad_norm(grads, max_norm, eps)
    checks: list[OutputCheck] = [
        compare(f"clipped[{i}]", r, g, TOLERANCE) for i, (r, g) in enumerate(zip(ref_clipped, got, strict=True))
    ]
    checks.append(compare("total_norm", np.asarray(ref_norm), got_norm, TOLERANCE))
    out.checks = checks
    out.ok = all(c.ok for c in checks)
    out.message = "; ".join(c.message for c in checks if not c.ok)
    if result.mutated:
        out.ok = False
        out.diagnoses.append(
            f"clip_grad_norm modified its input {', '.join(result.mutated)} in place; functions must not change"
            " their inputs (work on a copy)"
        )
    if not all(c.ok for c in checks):
        out.diagnoses += _diagnose(grads, max_norm, eps, got, got_norm)
    return out


def judge(case: Case, results: Sequence[CallResult]) -> Judgement:
    """Judge every call of a case: clipped element by element, total_norm as a scalar."""
    return combine(_judge_call(r) for r in results)


# ---------------------------------------------------------------------------------------------------------------
# Cases.


def _with_norms(
    rng: np.random.Generator, shapes: Sequence[tuple[int, ...]], norms: Sequence[float]
) -> tuple[np.ndarray, ...]:
    """Random gradients of the given shapes rescaled to exactly the given 2-norms."""
    out = []
    for shape, n in zip(shapes, norms, strict=True):
        g = normal(rng, *shape)
        out.append(g * (n / float(np.linalg.norm(g.ravel()))))
    return tuple(out)


def _call(grads: tuple[np.ndarray, ...], max_norm: float, eps: float | None = None) -> Call:
    args: dict[str, object] = {"grads": grads, "max_norm": max_norm}
    if eps is not None:
        args["eps"] = eps
    return Call("clip_grad_norm", args)


def _cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("example", (_call(_with_norms(rng, [(2, 3), (3,)], [3.0, 4.0]), 1.0),), True,
             description="two gradients with norms 3 and 4 (total 5), max_norm 1: both scaled by about 0.2"),
        Case("below_threshold", (_call(_with_norms(rng, [(3, 2), (4,)], [0.6, 0.8]), 2.0),), True,
             description="total norm 1 < max_norm 2: the gradients come back unchanged"),
        Case("one_tensor_over", (_call(_with_norms(rng, [(4,), (2, 2), (3, 4)], [3.0, 4.0, 12.0]), 5.0),),
             description="norms 3, 4 and 12 (total 13), max_norm 5: all three are scaled by 5/13, although 3 and 4"
             " are below max_norm on their own"),
        Case("many_shapes", (_call(tuple(normal(rng, *s) for s in [(2, 3, 4), (5,), (1, 1), (3, 1, 2)]), 2.5),),
             description="four gradients of shapes (2, 3, 4), (5,), (1, 1), (3, 1, 2), max_norm 2.5"),
        Case("single_tensor", (_call((normal(rng, 6, 5),), 1.5),),
             description="a tuple holding one gradient"),
        Case("each_below_sum_above", (_call(_with_norms(rng, [(3,), (3,), (2, 2)], [1.5, 1.2, 1.6]), 2.0, 1e-6),),
             description="every gradient's own norm is below max_norm 2, the global norm (2.5) is above"),
        Case("large_values", (_call(tuple(normal(rng, *s, scale=30.0) for s in [(4, 4), (8,)]), 10.0),),
             description="large gradients (norm about 150) clipped to 10"),
        Case("tiny_max_norm", (_call(_with_norms(rng, [(2, 2), (3,)], [0.3, 0.4]), 0.1, 1e-6),),
             description="total norm 0.5, max_norm 0.1"),
        Case("just_below", (_call(_with_norms(rng, [(5,), (2, 3)], [2.4, 3.2]), 4.1),),
             description="total norm 4 just below max_norm 4.1: unchanged, not scaled up"),
    ]


TASK = Task(
    id="clip_grad_norm",
    title="Clip gradients by their global norm",
    functions=(FunctionSpec("clip_grad_norm", params("grads", "max_norm", eps="1e-6"), ("clipped", "total_norm")),),
    reference={"clip_grad_norm": clip_grad_norm},
    make_cases=_cases,
    custom_judge=judge,
)
