"""engine.gradcheck, the public numerical gradient checker: full and fast modes, and failures that name the input
and the elements."""

from __future__ import annotations

import numpy as np
import pytest

from engine import GradcheckError, gradcheck, numerical_gradient


def matmul(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    return x @ W.T


def matmul_grads(dy: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return dy @ W, dy.T @ x


def one_wrong_element_grads(dy: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return dy @ W, (dy.T @ x) * np.where(np.arange(W.size).reshape(W.shape) == 4, 2.0, 1.0)


@pytest.fixture
def inputs() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal((3, 4)), rng.standard_normal((5, 4))]


@pytest.mark.parametrize("fast", [False, True])
def test_a_right_gradient_passes(inputs: list[np.ndarray], fast: bool) -> None:
    result = gradcheck(matmul, inputs, matmul_grads, names=["x", "W"], fast=fast)
    assert result.ok and result.max_rel_error < 1e-7


def test_a_wrong_element_is_named(inputs: list[np.ndarray]) -> None:
    with pytest.raises(GradcheckError) as failure:
        gradcheck(matmul, inputs, one_wrong_element_grads, names=["x", "W"])
    text = str(failure.value)
    assert "W: MISMATCH" in text and "x: ok" in text
    assert "W[1, 0]" in text  # the doubled element: flat index 4 of a (5, 4) array


def test_fast_mode_catches_it_too(inputs: list[np.ndarray]) -> None:
    result = gradcheck(matmul, inputs, one_wrong_element_grads, names=["x", "W"], fast=True, raise_exception=False)
    assert not result.ok
    assert [c.name for c in result.inputs if not c.ok] == ["W"]
    assert "direction" in result.inputs[1].worst[0]


def test_scalar_loss_and_inputs_left_untouched() -> None:
    x = np.array([1.0, -2.0, 0.5])
    before = x.copy()
    result = gradcheck(lambda v: np.sum(v**3), [x], lambda up, v: up * 3 * v**2)
    assert result.ok and np.array_equal(x, before)


def test_wrong_shape_is_reported(inputs: list[np.ndarray]) -> None:
    result = gradcheck(matmul, inputs, lambda dy, x, W: (dy @ W, (dy.T @ x).T), raise_exception=False)
    assert not result.ok and "shape" in result.inputs[1].worst[0]


def test_numerical_gradient_matches_a_known_derivative() -> None:
    x = np.linspace(-1, 1, 7)
    grad = numerical_gradient(lambda v: np.sin(v), [x], 0, upstream=np.ones(7))
    assert np.max(np.abs(grad - np.cos(x))) < 1e-9
