"""Task ``causal_mask``: the mask's convention, boolean outputs, cases, starter, detectors and the worked example."""

from __future__ import annotations

import re

import numpy as np

from engine.compare import compare
from engine.tasks import get_task
from engine.tasks.causal_mask import causal_mask
from tests.engine.tasks.support import task_text

TASK_ID = "causal_mask"


TASK = get_task(TASK_ID)


def test_matches_tril_and_is_boolean() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        mask = TASK.expected_outputs(case.calls[0])["mask"]
        assert mask.dtype == np.bool_ and mask.shape == (a["Lq"], a["Lk"])
        np.testing.assert_array_equal(mask, np.tril(np.ones((a["Lq"], a["Lk"]), dtype=bool), k=a.get("offset", 0)))


def test_conventions() -> None:
    assert causal_mask(3, 3)[1].tolist() == [True, True, False]  # the diagonal may attend
    assert causal_mask(2, 5, 3).all(axis=1)[-1]  # KV cache: the last query sees every key
    assert not causal_mask(4, 2, -2)[:2].any()  # negative offset: the first rows are all False


def test_cases_cover_the_geometries() -> None:
    args = [c.calls[0].args for c in TASK.cases()]
    assert any(a["Lq"] < a["Lk"] for a in args) and any(a["Lq"] > a["Lk"] for a in args)
    assert any("offset" not in a for a in args)
    assert any(a.get("offset", 0) == a["Lk"] - a["Lq"] > 0 for a in args)
    assert any(a.get("offset", 0) == a["Lk"] - a["Lq"] < 0 for a in args)


def test_comparison_messages_for_boolean_outputs() -> None:
    expected = causal_mask(3, 3)
    wrong = compare("mask", expected, np.tril(np.ones((3, 3), dtype=bool), k=-1), 1e-4)
    assert not wrong.ok and "3 of 9 elements differ, first at (0, 0): expected True, got False" in wrong.message
    as_float = compare("mask", expected, expected.astype(np.float64), 1e-4)
    assert not as_float.ok and "expected boolean" in as_float.message


def test_worked_example() -> None:
    """The two side-by-side matrices of the statement (offset 0 left, offset 2 right) are the reference's."""
    rows = [[int(v) for v in m.split(", ")] for m in re.findall(r"\[([01](?:, [01])+)\]", task_text(TASK_ID).statement)]
    assert len(rows) == 6
    np.testing.assert_array_equal(np.array(rows[0::2], dtype=bool), causal_mask(3, 5))
    np.testing.assert_array_equal(np.array(rows[1::2], dtype=bool), causal_mask(3, 5, 2))
