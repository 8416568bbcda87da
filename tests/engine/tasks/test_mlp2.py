"""Task ``mlp2``: reference gradients against finite differences, cases away from the kink, starter, detectors."""

from __future__ import annotations

import numpy as np
import pytest

from engine.tasks import get_task
from engine.tasks.mlp2 import KINK_MARGIN, mlp2_backward, mlp2_forward
from tests.engine.tasks.support import assert_in_statement, gradcheck_cases, gradcheck_reference, task_text

TASK_ID = "mlp2"
TASK = get_task(TASK_ID)
NAMES = ["x", "W1", "b1", "W2", "b2"]


def test_cases_keep_off_the_relu_kink_and_cover_the_shapes() -> None:
    shapes = set()
    for case in TASK.cases():
        a = case.calls[0].args
        z = a["x"] @ a["W1"].T + a["b1"]
        assert np.min(np.abs(z)) >= KINK_MARGIN, case.name
        assert np.any(z > 0) and np.any(z < 0), case.name
        n, d = a["x"].shape
        shapes.add((n, d, a["W1"].shape[0], a["W2"].shape[0]))
        if "dlogits" in a:
            assert not np.all(a["dlogits"] == 1.0)
    assert any(n == 1 for n, *_ in shapes) and any(n > 1 for n, *_ in shapes)
    assert any(h == c for _n, _d, h, c in shapes) and any(d == h for _n, d, h, _c in shapes)
    assert any(len({d, h, c}) == 3 for _n, d, h, c in shapes)


def _gradcheck_at(args: dict[str, np.ndarray], dlogits: np.ndarray) -> None:
    gradcheck_reference(mlp2_forward, [args[k] for k in NAMES], mlp2_backward, NAMES, upstream=dlogits)


def test_reference_backward_matches_finite_differences_on_every_case() -> None:
    assert len(gradcheck_cases(TASK_ID)) >= 5


@pytest.mark.parametrize("seed", range(4))
def test_reference_backward_matches_finite_differences_on_random_inputs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, d, h, c = 3 + seed, 4, 5 + seed, 3
    while True:
        args = {
            "x": rng.standard_normal((n, d)),
            "W1": rng.standard_normal((h, d)),
            "b1": rng.standard_normal(h),
            "W2": rng.standard_normal((c, h)),
            "b2": rng.standard_normal(c),
        }
        if np.min(np.abs(args["x"] @ args["W1"].T + args["b1"])) > 0.05:  # away from the kink
            break
    _gradcheck_at(args, rng.standard_normal((n, c)))


def test_gating_by_h_equals_gating_by_z_on_the_cases() -> None:
    for case in TASK.cases():
        a = case.calls[0].args
        z = a["x"] @ a["W1"].T + a["b1"]
        assert np.array_equal(z > 0, np.maximum(z, 0) > 0)


def test_worked_example_matches_the_reference() -> None:
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    W1 = np.array([[1.0, -1.0], [0.5, 1.0], [-1.0, 0.0]])
    b1 = np.array([0.5, -1.0, 0.0])
    W2 = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0]])
    b2 = np.array([0.0, -0.5])
    dlogits = np.array([[1.0, -1.0], [0.5, 0.0]])
    z = x @ W1.T + b1
    values = [z, mlp2_forward(x, W1, b1, W2, b2), dlogits @ W2, *mlp2_backward(dlogits, x, W1, b1, W2, b2)]
    assert_in_statement(TASK_ID, *values, tol=1e-9)


def test_mistake_switches_default_to_the_reference() -> None:
    from engine.tasks.mlp2 import _mistaken_backward

    for case in TASK.cases():
        a = case.calls[0].args
        if case.calls[0].function == "mlp2_backward":
            args = [a[k] for k in ("dlogits", *NAMES)]
            for got, want in zip(_mistaken_backward(*args), mlp2_backward(*args), strict=True):
                assert np.array_equal(got, want)


def test_topic() -> None:
    assert task_text(TASK_ID).topic == "backpropagation"
