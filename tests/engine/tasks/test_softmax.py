"""Task ``softmax``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.softmax import softmax
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "softmax"


def _loop_softmax(z: np.ndarray) -> np.ndarray:
    import math

    rows = z.reshape(-1, z.shape[-1])
    out = np.empty(rows.shape)
    for i, row in enumerate(rows):
        m = max(row)
        e = [math.exp(v - m) for v in row]
        s = math.fsum(e)
        out[i] = [v / s for v in e]
    return out.reshape(z.shape)


def test_reference_on_every_case() -> None:
    for case in get_task(TASK_ID).cases():
        z = case.calls[0].args["z"]
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            p = softmax(z)
        assert p.shape == z.shape
        assert np.allclose(p.sum(axis=-1), 1.0, atol=1e-12)
        assert np.allclose(p, _loop_softmax(z), rtol=1e-12, atol=1e-15), case.name


def test_cases_cover_large_logits_ties_and_leading_axes() -> None:
    cases = {c.name: c.calls[0].args["z"] for c in get_task(TASK_ID).cases()}
    assert max(float(np.max(np.abs(z))) for z in cases.values()) >= 1e4
    assert any(z.ndim == 1 for z in cases.values()) and any(z.ndim >= 3 for z in cases.values())
    assert any(z.ndim == 2 and z.shape[0] == 1 for z in cases.values())
    ties = cases["ties"]
    assert any(len(set(row)) < len(row) for row in ties)


def test_gradient_of_softmax_is_not_required() -> None:
    assert [f.name for f in get_task(TASK_ID).functions] == ["softmax"]


def test_worked_example() -> None:
    assert_written_in_statement(TASK_ID, softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 1000.0]])))
