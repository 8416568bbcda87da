"""A detector shared by the backward tasks: several gradients at once equal a known mistaken variant."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from engine import diagnose
from engine.task import Detector, DiagnosisContext


def gradients_variant(
    text: str, names: tuple[str, ...], variant: Callable[[DiagnosisContext], Mapping[str, np.ndarray]]
) -> Detector:
    """The outputs ``names`` all agree with ``variant(ctx)`` (the gradients a mistake gives, by output name), and at
    least one of them differs from the reference: then ``text`` names the mistake.

    Checking several outputs together keeps a mistake that touches only some gradients from being named when
    another one explains them better.
    """

    def detect(ctx: DiagnosisContext) -> str | None:
        with np.errstate(all="ignore"):
            model = variant(ctx)
        if not all(diagnose.close(ctx.got.get(n), model[n]) for n in names):
            return None
        if all(diagnose.close(model[n], ctx.expected[n]) for n in names):
            return None
        return text

    return detect
