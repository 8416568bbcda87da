"""A numerical gradient checker for hand-written backward passes, in the spirit of torch.autograd.gradcheck.

NumPy has no autograd, so the analytic side is the user's own backward: ``grad_fn(upstream, *inputs)`` returns the
gradient of ``sum(f(*inputs) * upstream)`` with respect to each input. The numerical side uses centred
differences in float64. Full mode perturbs every element; fast mode checks random directional derivatives
(``<grad, u>`` against ``(L(x + eps u) - L(x - eps u)) / 2 eps``), a few forward calls per input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when an analytic gradient disagrees with the numerical one."""


@dataclass
class InputCheck:
    """How the gradient of one input fared: its largest errors and the worst elements (fast mode: directions)."""

    name: str
    max_abs_error: float
    max_rel_error: float
    ok: bool
    worst: list[str] = field(default_factory=list)


@dataclass
class GradcheckResult:
    ok: bool
    inputs: list[InputCheck]

    @property
    def max_rel_error(self) -> float:
        return max((c.max_rel_error for c in self.inputs), default=0.0)

    def report(self) -> str:
        lines = []
        for c in self.inputs:
            state = "ok" if c.ok else "MISMATCH"
            lines.append(f"{c.name}: {state} (max abs error {c.max_abs_error:.3g}, rel {c.max_rel_error:.3g})")
            lines.extend(f"  {w}" for w in c.worst)
        return "\n".join(lines)


def _loss(f: Callable[..., Any], inputs: list[np.ndarray], upstream: np.ndarray | None) -> float:
    out = np.asarray(f(*inputs), dtype=np.float64)
    if upstream is None:
        return float(np.sum(out))
    return float(np.sum(out * upstream))


def numerical_gradient(
    f: Callable[..., Any], inputs: Sequence[np.ndarray], index: int, upstream: np.ndarray | None, eps: float = 1e-6
) -> np.ndarray:
    """Centred-difference gradient of ``sum(f(*inputs) * upstream)`` with respect to ``inputs[index]`` (float64)."""
    xs = [np.array(x, dtype=np.float64, copy=True) for x in inputs]
    x = xs[index]
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = _loss(f, xs, upstream)
        x[i] = old - eps
        minus = _loss(f, xs, upstream)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def gradcheck(
    f: Callable[..., Any],
    inputs: Sequence[np.ndarray],
    grad_fn: Callable[..., Any],
    *,
    names: Sequence[str] | None = None,
    wrt: Sequence[int] | None = None,
    upstream: np.ndarray | None = None,
    eps: float = 1e-6,
    atol: float = 1e-8,
    rtol: float = 1e-6,
    fast: bool = False,
    directions: int = 8,
    seed: int = 0,
    raise_exception: bool = True,
) -> GradcheckResult:
    """Check ``grad_fn`` against centred differences of ``f`` in float64.

    Args:
        f: ``f(*inputs) -> array`` of any shape (a scalar loss is fine).
        inputs: the point at which to check; converted to float64 copies (never modified).
        grad_fn: ``grad_fn(upstream, *inputs) -> gradient or tuple of gradients``, one per input in ``wrt``,
            each with its input's shape. For a scalar ``f`` the upstream is ``1.0``.
        names: names for the inputs in messages (default ``input0``, ``input1`` ...).
        wrt: indices of the inputs to check (default all floating inputs).
        upstream: the upstream gradient; by default random normal of the output's shape (never all ones, which
            hides transposes and broadcasting mistakes).
        eps, atol, rtol: the step and the tolerance ``|a - n| <= atol + rtol * max|n|`` per input.
        fast: check ``directions`` random directional derivatives per input instead of every element.
        raise_exception: raise :class:`GradcheckError` naming the input and elements on failure.

    Returns:
        A :class:`GradcheckResult`; its ``max_rel_error`` is ``max|a - n| / max|n|`` over the inputs.
    """
    xs = [np.array(x, dtype=np.float64, copy=True) if np.asarray(x).dtype.kind == "f" else x for x in inputs]
    labels = list(names) if names is not None else [f"input{i}" for i in range(len(xs))]
    chosen = list(wrt) if wrt is not None else [i for i, x in enumerate(xs) if np.asarray(x).dtype.kind == "f"]
    rng = np.random.default_rng(seed)
    out = np.asarray(f(*xs), dtype=np.float64)
    if upstream is None:
        up: np.ndarray | None = np.asarray(rng.standard_normal(out.shape)) if out.ndim else None
    else:
        up = np.asarray(upstream, dtype=np.float64)
    analytic = grad_fn(up if up is not None else np.float64(1.0), *xs)
    grads = list(analytic) if isinstance(analytic, tuple | list) else [analytic]
    if len(grads) != len(chosen):
        raise ValueError(f"grad_fn returned {len(grads)} gradients for {len(chosen)} inputs")
    checks: list[InputCheck] = []
    for index, g in zip(chosen, grads, strict=True):
        g = np.asarray(g, dtype=np.float64)
        name = labels[index]
        if g.shape != np.shape(xs[index]):
            checks.append(
                InputCheck(name, np.inf, np.inf, False, [f"gradient shape {g.shape}, input {np.shape(xs[index])}"])
            )
            continue
        if fast:
            checks.append(_fast_check(f, xs, index, g, up, eps, atol, rtol, directions, rng, name))
        else:
            num = numerical_gradient(f, xs, index, up, eps)
            diff = np.abs(g - num)
            scale = float(np.max(np.abs(num), initial=0.0))
            max_abs = float(np.max(diff, initial=0.0))
            ok = max_abs <= atol + rtol * scale
            worst = []
            if not ok:
                for flat in np.argsort(diff, axis=None)[::-1][:3]:
                    idx = tuple(int(i) for i in np.unravel_index(int(flat), g.shape))
                    worst.append(f"{name}{list(idx)}: analytic {g[idx]:.6g}, numerical {num[idx]:.6g}")
            checks.append(InputCheck(name, max_abs, max_abs / max(scale, 1e-12), ok, worst))
    result = GradcheckResult(ok=all(c.ok for c in checks), inputs=checks)
    if raise_exception and not result.ok:
        raise GradcheckError("gradient check failed\n" + result.report())
    return result


def _fast_check(
    f: Callable[..., Any],
    xs: list[Any],
    index: int,
    g: np.ndarray,
    up: np.ndarray | None,
    eps: float,
    atol: float,
    rtol: float,
    directions: int,
    rng: np.random.Generator,
    name: str,
) -> InputCheck:
    errors, worst, scale = [], [], 0.0
    for k in range(directions):
        u = rng.standard_normal(g.shape)
        moved = list(xs)
        moved[index] = xs[index] + eps * u
        plus = _loss(f, moved, up)
        moved[index] = xs[index] - eps * u
        minus = _loss(f, moved, up)
        num = (plus - minus) / (2 * eps)
        ana = float(np.sum(g * u))
        errors.append(abs(num - ana))
        scale = max(scale, abs(num))
        if abs(num - ana) > atol + rtol * abs(num):
            worst.append(f"{name} direction {k}: analytic {ana:.6g}, numerical {num:.6g}")
    max_abs = max(errors, default=0.0)
    return InputCheck(name, max_abs, max_abs / max(scale, 1e-12), not worst, worst[:3])
