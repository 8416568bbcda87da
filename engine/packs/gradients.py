"""Reference gradients checked against float64 finite differences (``nnprep pack check``).

For a task with ``GradientLink``s, the checks come from its cases: each call of a linked backward is compared with
centred differences of the linked forward at the same point. A task whose backward takes an object kept from the
forward (a CS231n ``cache``) has no link to derive them from: its module defines ``GRADIENT_CHECKS(rng)``, a list of
:class:`ReferenceGradient`, each a scalar-valued function of named arrays and its analytic gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from engine.crosscheck import forward_args
from engine.gradient_check import gradcheck
from engine.task import Case, GradientLink, Task, materialise


@dataclass(frozen=True)
class ReferenceGradient:
    """``loss(**inputs) -> float`` and ``grad(**inputs) -> {name: dloss/dname}`` for the arrays in ``inputs``.

    ``name`` says what is checked in messages ("affine_backward through the cache").
    """

    name: str
    inputs: Mapping[str, np.ndarray]
    loss: Callable[..., float]
    grad: Callable[..., Mapping[str, np.ndarray]]


def check_reference(probe: ReferenceGradient) -> str | None:
    """None if the analytic gradient agrees with centred differences in float64, else a sentence naming the input."""
    names = list(probe.inputs)
    arrays = [np.asarray(probe.inputs[n], dtype=np.float64) for n in names]

    def f(*xs: np.ndarray) -> float:
        return float(probe.loss(**dict(zip(names, xs, strict=True))))

    def g(_upstream: object, *xs: np.ndarray) -> tuple[np.ndarray, ...]:
        grads = probe.grad(**dict(zip(names, xs, strict=True)))
        return tuple(np.asarray(grads[n], dtype=np.float64) for n in names)

    try:
        result = gradcheck(f, arrays, g, names=names, fast=True, raise_exception=False, rtol=1e-5, atol=1e-7)
    except Exception as e:  # the instructor's reference failed on its own inputs
        return f"{probe.name}: the reference failed: {type(e).__name__}: {e}"
    if result.ok:
        return None
    bad = [c for c in result.inputs if not c.ok]
    return f"{probe.name}: d/{bad[0].name} disagrees with finite differences (rel error {bad[0].max_rel_error:.2g})"


def from_links(task: Task, case: Case) -> list[ReferenceGradient]:
    """The reference checks a case's linked backward calls give (object cases give none)."""
    probes: list[ReferenceGradient] = []
    for link in task.links:
        for call in case.calls:
            if call.function != link.backward or call.uses_objects:
                continue
            probe = _probe(task, link, {k: materialise(v) for k, v in call.args.items()}, case.name)
            if probe is not None:
                probes.append(probe)
    return probes


def _probe(task: Task, link: GradientLink, args: dict[str, object], case_name: str) -> ReferenceGradient | None:
    forward = task.reference[link.forward]
    backward = task.reference[link.backward]
    fwd_params = {p.name for p in task.function(link.forward).params}
    base = {k: v for k, v in forward_args(link, args).items() if k in fwd_params}
    inputs = {k: base[k] for k in link.wrt if isinstance(base.get(k), np.ndarray) and base[k].dtype.kind == "f"}
    if not inputs:
        return None
    upstreams = link.upstream_pairs()

    def outputs(raw: object) -> tuple[object, ...]:
        return raw if isinstance(raw, tuple) else (raw,)

    def loss(**xs: np.ndarray) -> float:
        out = outputs(forward(**{**base, **xs}))
        total = 0.0
        for index, arg in upstreams:
            weight = 1.0 if arg is None else np.asarray(args[arg], dtype=np.float64)
            total += float(np.sum(np.asarray(out[index], dtype=np.float64) * weight))
        return total

    def grad(**xs: np.ndarray) -> dict[str, np.ndarray]:
        given = {**args, **{k: v for k, v in xs.items()}}
        raw = outputs(backward(**given))
        return {name: np.asarray(raw[i if i is not None else 0]) for name, i in link.wrt.items() if name in xs}

    return ReferenceGradient(f"{link.backward} ({case_name})", inputs, loss, grad)
