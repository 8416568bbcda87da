"""Task ``label_smoothing_cross_entropy``: gradient, PyTorch's smoothing convention, stability, detectors."""

from __future__ import annotations

import numpy as np

from engine.tasks import get_task
from engine.tasks.label_smoothing_cross_entropy import label_smoothing_cross_entropy, smoothed_targets
from engine.tasks.softmax import stable_log_softmax
from engine.tasks.softmax_cross_entropy import softmax_cross_entropy
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases

TASK_ID = "label_smoothing_cross_entropy"


TASK = get_task(TASK_ID)


def test_reference_gradient_matches_finite_differences() -> None:
    assert len(gradcheck_cases(TASK_ID, skip=lambda a: bool(np.max(np.abs(a["logits"])) > 50))) >= 6


def test_pytorch_convention() -> None:
    q = smoothed_targets(np.array([1, 0]), 4, 0.2)
    np.testing.assert_allclose(q, [[0.05, 0.85, 0.05, 0.05], [0.85, 0.05, 0.05, 0.05]])
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    z = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 0.2, -0.4, 1.0]])
    labels = np.array([3, 1])
    plain = softmax_cross_entropy(z, labels)
    smoothed0 = label_smoothing_cross_entropy(z, labels, 0.0)
    np.testing.assert_allclose(smoothed0[0], plain[0])
    np.testing.assert_allclose(smoothed0[1], plain[1])
    # (1 - eps) * NLL + eps * mean over classes of -log p, averaged over the batch
    logp = stable_log_softmax(z)
    eps = 0.3
    want = np.mean((1 - eps) * -logp[np.arange(2), labels] + eps * -logp.mean(axis=1))
    np.testing.assert_allclose(label_smoothing_cross_entropy(z, labels, eps)[0], want)


def test_edge_cases_are_finite_and_large() -> None:
    for name in ("large_offsets", "huge_gaps"):
        call = next(c for c in TASK.cases() if c.name == name).calls[0]
        loss, grad = label_smoothing_cross_entropy(**call.args)
        assert np.isfinite(loss) and np.all(np.isfinite(grad))
    call = next(c for c in TASK.cases() if c.name == "huge_gaps").calls[0]
    assert label_smoothing_cross_entropy(**call.args)[0] > 100.0


def test_worked_example() -> None:
    z = np.array([[2.0, 1.0, 0.0], [0.5, 0.5, 3.0]])
    labels = np.array([0, 1])
    loss, grad = label_smoothing_cross_entropy(z, labels, 0.1)
    assert_in_statement(TASK_ID, smoothed_targets(labels, 3, 0.1), stable_log_softmax(z), loss, grad)
