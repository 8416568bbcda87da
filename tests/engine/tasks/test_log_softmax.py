"""Task ``log_softmax``: reference gradients, deterministic cases, starter signatures and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.log_softmax import log_softmax
from engine.tasks.softmax import softmax
from tests.engine.tasks.support import assert_written_in_statement

TASK_ID = "log_softmax"


def _loop_log_softmax(z: np.ndarray) -> np.ndarray:
    import math

    rows = z.reshape(-1, z.shape[-1])
    out = np.empty(rows.shape)
    for i, row in enumerate(rows):
        m = max(row)
        lse = m + math.log(math.fsum(math.exp(v - m) for v in row))
        out[i] = [v - lse for v in row]
    return out.reshape(z.shape)


def test_reference_on_every_case() -> None:
    for case in get_task(TASK_ID).cases():
        z = case.calls[0].args["z"]
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = log_softmax(z)
        assert np.all(np.isfinite(out))
        scale = max(1.0, float(np.max(np.abs(out))))
        assert np.max(np.abs(out - _loop_log_softmax(z))) <= 1e-13 * scale, case.name
        assert np.allclose(np.exp(out).sum(axis=-1), 1.0, atol=1e-12)


def test_huge_gaps_case_has_underflowing_probabilities() -> None:
    z = next(c for c in get_task(TASK_ID).cases() if c.name == "huge_gaps").calls[0].args["z"]
    assert np.any(softmax(z) == 0.0)


def test_worked_example() -> None:
    assert_written_in_statement(TASK_ID, log_softmax(np.array([[1.0, 2.0, 3.0], [0.0, -1000.0, 0.0]])))
