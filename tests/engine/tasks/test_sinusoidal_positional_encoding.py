"""Task ``sinusoidal_positional_encoding``: the interleaved layout, cases, starter, detectors and the worked example."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.sinusoidal_positional_encoding import sinusoidal_positional_encoding
from tests.engine.tasks.support import assert_in_statement

TASK_ID = "sinusoidal_positional_encoding"


TASK = get_task(TASK_ID)


def test_layout_and_identities() -> None:
    pe = sinusoidal_positional_encoding(7, 10)
    np.testing.assert_allclose(pe[0], [0.0, 1.0] * 5)
    np.testing.assert_allclose(pe[:, 0::2] ** 2 + pe[:, 1::2] ** 2, 1.0)
    np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(7)))
    np.testing.assert_allclose(pe[3, 2], np.sin(3 / 10000 ** (2 / 10)))
    np.testing.assert_allclose(pe[3, 3], np.cos(3 / 10000 ** (2 / 10)))


def test_cases_stay_where_float32_passes() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        assert a["d_model"] % 2 == 0 and a["length"] <= 200


def test_worked_example() -> None:
    assert_in_statement(TASK_ID, sinusoidal_positional_encoding(3, 4))
