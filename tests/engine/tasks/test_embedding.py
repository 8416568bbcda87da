"""Task ``embedding``: reference gradients, cases, starter signatures and detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.embedding import embedding_backward, embedding_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "embedding"
TASK = get_task(TASK_ID)


@pytest.mark.parametrize(
    ("ids", "v", "d"),
    [
        (np.array([1, 4, 1, 0, 4]), 6, 3),
        (np.array([[0, 2, 2], [5, 2, 0]]), 7, 4),
        (np.array([[3], [3], [1]]), 5, 2),
    ],
)
def test_backward_matches_finite_differences(ids: np.ndarray, v: int, d: int) -> None:
    W = np.random.default_rng(v * d).standard_normal((v, d))
    gradcheck_reference(
        lambda W: embedding_forward(ids, W),
        [W],
        lambda up, W: embedding_backward(up, ids, v),
        ["W"],
    )


def test_repeated_ids_accumulate() -> None:
    ids = np.array([[0, 2], [2, 1]])
    dout = np.array([[[1.0, 0.0], [0.0, 1.0]], [[2.0, 2.0], [1.0, -1.0]]])
    np.testing.assert_array_equal(embedding_backward(dout, ids, 4), [[1, 0], [1, -1], [2, 3], [0, 0]])


def test_cases_cover_shapes_and_repeats() -> None:
    ndims, repeats, unused = set(), False, False
    for case in TASK.cases():
        ids = case.calls[0].args["ids"]
        assert ids.dtype == np.int64
        ndims.add(ids.ndim)
        repeats |= len(np.unique(ids)) < ids.size
        if case.calls[0].function == "embedding_backward":
            unused |= int(ids.max()) + 1 < case.calls[0].args["num_embeddings"]
    assert ndims == {1, 2} and repeats and unused


def test_worked_example_matches_the_reference() -> None:
    ids = np.array([[0, 2], [2, 1]])
    W = np.array([[0.1, 0.2], [1.0, 1.0], [-1.0, 3.0]])
    dout = np.array([[[1.0, 0.0], [0.0, 1.0]], [[2.0, 2.0], [1.0, -1.0]]])
    assert_in_statement(TASK_ID, embedding_forward(ids, W), embedding_backward(dout, ids, 4))
