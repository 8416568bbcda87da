"""Scalar test functions a task can hand to a submission as an argument (see engine.task.FunctionRef).

This file is loaded by path inside the sandboxed child, so it holds only the functions, never their gradients:
a task that grades gradients keeps the analytic ones in its own module. NumPy only; every function takes a float
array of any shape and returns a Python float, and is smooth everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def sum_of_squares(x: np.ndarray) -> float:
    """sum(x^2)."""
    return float(np.sum(x * x))


def sum_of_cubes(x: np.ndarray) -> float:
    """sum(x^3)."""
    return float(np.sum(x**3))


def log_sum_exp(x: np.ndarray) -> float:
    """log(sum(exp(x))) over all elements, computed stably."""
    m = float(np.max(x))
    return m + float(np.log(np.sum(np.exp(x - m))))


def sin_times_cos(x: np.ndarray) -> float:
    """sum(sin(x) * cos(2x))."""
    return float(np.sum(np.sin(x) * np.cos(2 * x)))


def neighbour_product(x: np.ndarray) -> float:
    """sum over the flattened array of x[i] * x[i+1] (wrapping around): couples every element to two others."""
    flat = x.ravel()
    return float(np.sum(flat * np.roll(flat, -1)))


def softplus_sum(x: np.ndarray) -> float:
    """sum(log(1 + exp(x))), computed stably."""
    return float(np.sum(np.logaddexp(0.0, x)))


KNOWN_FUNCTIONS: dict[str, Callable[[np.ndarray], float]] = {
    f.__name__: f
    for f in (sum_of_squares, sum_of_cubes, log_sum_exp, sin_times_cos, neighbour_product, softplus_sum)
}
