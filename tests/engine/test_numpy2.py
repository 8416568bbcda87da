"""NumPy 2 removals are named with their replacement, from the error text the installed NumPy really raises."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine import numpy2


def _error_of(action: Callable[[], object]) -> str:
    try:
        action()
    except Exception as e:  # the point is the text of whatever NumPy raises
        return f"{type(e).__name__}: {e}"
    pytest.skip("this NumPy still accepts it")


@pytest.mark.parametrize(
    ("action", "named", "replacement"),
    [
        (lambda: np.float, "np.float", "np.float64"),
        (lambda: np.int, "np.int", "np.int64"),
        (lambda: np.float_, "np.float_", "np.float64"),
        (lambda: np.NaN, "np.NaN", "np.nan"),
        (lambda: np.Inf, "np.Inf", "np.inf"),
        (lambda: np.product, "np.product", "np.prod"),
        (lambda: np.cumproduct, "np.cumproduct", "np.cumprod"),
        (lambda: np.in1d, "np.in1d", "np.isin"),
        (lambda: np.trapz, "np.trapz", "np.trapezoid"),
        (lambda: np.asfarray, "np.asfarray", "np.asarray"),
        (lambda: np.zeros(3).ptp(), ".ptp()", "np.ptp"),
        (lambda: int(np.array([3.0])), "int() or float()", ".item()"),
        (lambda: float(np.ones((1, 1))), "int() or float()", ".item()"),
        (lambda: np.reshape(np.arange(6), newshape=(2, 3)), "newshape=", "positionally"),
    ],
)
def test_removal_is_named_with_its_replacement(action: Callable[[], object], named: str, replacement: str) -> None:
    text = numpy2.explain(_error_of(action))
    assert text is not None
    assert named in text and replacement in text


@pytest.mark.parametrize(
    "error",
    [
        "AttributeError: module 'numpy' has no attribute 'frobnicate'",
        "AttributeError: 'numpy.ndarray' object has no attribute 'grad'",
        "ValueError: operands could not be broadcast together with shapes (2,3) (3,2)",
        "IndexError: index 5 is out of bounds for axis 0 with size 5",
        "",
    ],
)
def test_other_errors_are_not_blamed_on_numpy2(error: str) -> None:
    assert numpy2.explain(error) is None
