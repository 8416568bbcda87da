"""Builders of the common shapes of task: a forward and its backward, an elementwise activation, a loss that
returns its own gradients. Each makes the specs, reference and detector maps and the gradient link from what
differs between tasks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from engine import diagnose
from engine.task import Case, Detector, DiagnosisContext, FunctionSpec, GradientLink, Param, Task
from engine.tasks._util import params

Pair = tuple[Callable[..., Any], Callable[..., Any]]  # a forward's and its backward's reference
DetectorPair = tuple[tuple[Detector, ...], tuple[Detector, ...]]
MakeCases = Callable[[np.random.Generator], Sequence[Case]]
Signature = tuple[tuple[Param, ...], tuple[str, ...]]  # a function's parameters and output names
Explain = Callable[[DiagnosisContext], Sequence[tuple[float, str]]]  # see engine.diagnose.factor_explained


def pair_task(
    prefix: str,
    title: str,
    signatures: tuple[Signature, Signature],
    reference: Pair,
    make_cases: MakeCases,
    detectors: DetectorPair,
    wrt: Mapping[str, int | None],
    **link: Any,
) -> Task:
    """A task of ``<prefix>_forward`` and ``<prefix>_backward``: their signatures, references and detectors in that
    order, and the gradient link (``wrt`` and the further ``GradientLink`` fields in ``link``) that checks the
    backward against the forward numerically."""
    names = (f"{prefix}_forward", f"{prefix}_backward")
    return Task(
        id=prefix,
        title=title,
        functions=tuple(FunctionSpec(name, *signature) for name, signature in zip(names, signatures, strict=True)),
        reference=dict(zip(names, reference, strict=True)),
        make_cases=make_cases,
        detectors=dict(zip(names, detectors, strict=True)),
        links=(GradientLink(*names, wrt, **link),),
    )


def elementwise_task(name: str, title: str, reference: Pair, make_cases: MakeCases, detectors: DetectorPair) -> Task:
    """The task of an elementwise activation: ``<name>_forward(x) -> y`` and ``<name>_backward(dy, x) -> dx``."""
    signatures = ((params("x"), ("y",)), (params("dy", "x"), ("dx",)))
    return pair_task(name, title, signatures, reference, make_cases, detectors, {"x": None})


def loss_task(
    task_id: str,
    title: str,
    spec: FunctionSpec,
    reference: Callable[..., Any],
    make_cases: MakeCases,
    detectors: tuple[Detector, ...],
    wrt: dict[str, int],
    factors: tuple[Explain, Explain] | None = None,
) -> Task:
    """The task of one function that returns a loss and its own gradients, ``spec.name(...) -> (loss, d..., ...)``:
    ``wrt`` maps each differentiated argument to its gradient's place in the outputs, for the link that checks the
    gradients against the loss numerically. ``factors`` explain constant-factor mistakes (a sum for a mean, a
    flipped sign) of the loss and of the first gradient, checked after ``detectors``."""
    if factors is not None:
        outputs = spec.outputs
        detectors += tuple(diagnose.factor_explained(o, f) for o, f in zip(outputs[:2], factors, strict=True))
    return Task(
        id=task_id,
        title=title,
        functions=(spec,),
        reference={spec.name: reference},
        make_cases=make_cases,
        detectors={spec.name: detectors},
        links=(GradientLink(spec.name, spec.name, wrt, forward_output=0, upstream_arg=None),),
    )
