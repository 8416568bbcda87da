"""Task ``attention``: reference gradients, masks, cases, starter signatures and detectors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from engine.task import Call, CallResult, DiagnosisContext
from engine.tasks import get_task
from engine.tasks.attention import attention_backward, attention_forward, attention_weights
from tests.engine.tasks.support import assert_in_statement, gradcheck_reference

TASK_ID = "attention"
TASK = get_task(TASK_ID)


def _causal(lq: int, lk: int) -> np.ndarray:
    return np.arange(lk)[None, :] <= np.arange(lq)[:, None] + (lk - lq)


@pytest.mark.parametrize(
    ("lead", "lq", "lk", "d", "dv", "mask"),
    [
        ((), 3, 5, 4, 2, None),
        ((2,), 4, 3, 8, 5, None),
        ((2, 3), 3, 6, 4, 3, None),
        ((2,), 5, 5, 4, 3, _causal(5, 5)),
        ((2, 2), 3, 5, 6, 4, _causal(3, 5)),
        ((3,), 4, 6, 4, 5, np.array([[[True] * 6], [[True] * 2 + [False] * 4], [[True] * 5 + [False]]])),
        ((), 4, 5, 3, 3, np.array([True, False, True, False, True])),
    ],
)
def test_backward_matches_finite_differences(
    lead: tuple[int, ...], lq: int, lk: int, d: int, dv: int, mask: np.ndarray | None
) -> None:
    rng = np.random.default_rng(lq * 100 + lk * 10 + d)
    Q, K = rng.standard_normal((*lead, lq, d)), rng.standard_normal((*lead, lk, d))
    V = rng.standard_normal((*lead, lk, dv))
    gradcheck_reference(
        lambda Q, K, V: attention_forward(Q, K, V, mask),
        [Q, K, V],
        lambda up, Q, K, V: attention_backward(up, Q, K, V, mask),
        ["Q", "K", "V"],
    )


def test_masked_weights_are_exactly_zero_and_large_scores_stay_finite() -> None:
    Q = np.array([[1.0, 0.0], [0.0, 2.0]]) * 700.0
    K = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    mask = np.array([[True, False, False], [True, True, False]])
    out = attention_forward(Q, K, V, mask)
    np.testing.assert_array_equal(out[0], V[0])
    assert np.all(np.isfinite(out))
    dQ, dK, dV = attention_backward(np.ones_like(out), Q, K, V, mask)
    assert all(np.all(np.isfinite(g)) for g in (dQ, dK, dV))
    assert np.all(dV[2] == 0.0)  # no query attends to key 2


def test_cases_cover_masks_shapes_and_large_scores() -> None:
    kinds, largest = set(), 0.0
    for case in TASK.cases():
        a = case.calls[0].args
        Q, K, V = a["Q"], a["K"], a["V"]
        scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
        largest = max(largest, float(np.abs(scores).max()))
        assert float(np.abs(scores).max()) <= 1.01e3  # about 1e3 (Q and K are rounded to quarters)
        mask = a.get("mask")
        if mask is not None:
            assert mask.dtype == bool and mask.ndim <= scores.ndim
            assert np.broadcast_to(mask, scores.shape).any(axis=-1).all(), case.name
            kinds.add(mask.ndim < scores.ndim)
        kinds.add(("lq_ne_lk", Q.shape[-2] != K.shape[-2]))
        kinds.add(("d_ne_dv", Q.shape[-1] != V.shape[-1]))
        kinds.add(("lead", Q.ndim))
    assert {True, ("lq_ne_lk", True), ("d_ne_dv", True), ("lead", 2), ("lead", 3), ("lead", 4)} <= kinds
    assert largest >= 900.0  # far past 709, where exp overflows in float64


def _ctx(got: np.ndarray, **args: Any) -> DiagnosisContext:
    call = Call("attention_forward", args)
    return DiagnosisContext(TASK, call, {"out": got}, TASK.expected_outputs(call), CallResult(call))


@pytest.mark.parametrize(
    ("scale", "text"),
    [
        (1.0, "the scores are not scaled"),
        (0.125, "the scores are divided by d;"),
        (np.sqrt(8.0), "the scores are multiplied by sqrt(d)"),
        (1 / np.sqrt(5.0), "the scores are divided by sqrt(dv)"),
    ],
)
def test_scale_detector_names_each_scaling_mistake(scale: float, text: str) -> None:
    rng = np.random.default_rng(2)
    Q, K, V = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 3, 5))
    got = attention_weights(Q, K, None, scale=scale) @ V
    found = [d(_ctx(got, Q=Q, K=K, V=V)) for d in TASK.detectors["attention_forward"]]
    assert any(f and text in f for f in found), found


def test_overflow_detector_ignores_nan_from_fully_masked_rows() -> None:
    rng = np.random.default_rng(4)
    Q, K, V = rng.standard_normal((3, 4)) * 30, rng.standard_normal((4, 4)) * 30, rng.standard_normal((4, 2))
    mask = _causal(3, 4)
    expected = attention_forward(Q, K, V, mask)
    got = expected.copy()
    got[2] = np.nan  # as an inverted mask leaves the last row with nothing to attend to
    found = [d(_ctx(got, Q=Q, K=K, V=V, mask=mask)) for d in TASK.detectors["attention_forward"]]
    assert not any(f and "NaN or inf" in f for f in found), found


def test_worked_example_matches_the_reference() -> None:
    Q = np.array([[1.0, 0.0], [0.0, 2.0]])
    K = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    V = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
    mask = np.array([[True, False, False], [True, True, False]])
    assert_in_statement(TASK_ID, Q @ K.T / np.sqrt(2.0), attention_weights(Q, K, None), attention_forward(Q, K, V))
    assert_in_statement(TASK_ID, attention_weights(Q, K, mask), attention_forward(Q, K, V, mask))
