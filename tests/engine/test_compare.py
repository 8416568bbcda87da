"""Comparison of one output with the reference: shape and dtype kind before values, relative error, NaN/inf named,
worst elements, and heatmap previews only where an output fails."""

from __future__ import annotations

import numpy as np
import pytest

from engine.compare import compare, relative_error

TOL = 1e-4
rng = np.random.default_rng(7)


def test_a_correct_float32_computation_passes_without_previews() -> None:
    expected = rng.standard_normal((5, 7))
    got = expected.astype(np.float32)
    check = compare("y", expected, got, TOL)
    assert check.ok and check.message == ""
    assert 0 < check.rel_error < 1e-6
    assert check.expected_preview is None and check.got_preview is None


def test_shape_is_checked_before_values() -> None:
    expected = rng.standard_normal((3, 4))
    check = compare("dW", expected, expected.T.copy(), TOL)
    assert not check.ok
    assert check.message == "dW: shape (4, 3), expected (3, 4)"
    assert check.rel_error is None and check.got_shape == (4, 3)


def test_dtype_kind_is_checked_before_values() -> None:
    check = compare("y", np.zeros(3), np.zeros(3, dtype=np.int64), TOL)
    assert not check.ok and "dtype int64 (integer), expected floating point" in check.message
    ints = compare("idx", np.array([1, 2], dtype=np.int64), np.array([1, 2], dtype=np.int32), TOL)
    assert ints.ok  # any integer width is an integer


def test_integers_must_match_exactly_and_the_first_difference_is_named() -> None:
    check = compare("idx", np.array([1, 2, 3]), np.array([1, 5, 3]), TOL)
    assert not check.ok
    assert check.message == "idx: 1 of 3 elements differ, first at (1,): expected 2, got 5"


def test_no_value_returned() -> None:
    check = compare("db", np.zeros(2), None, TOL)
    assert not check.ok and check.message == "db: no value returned (got None)"


def test_nan_and_inf_are_named_and_previewed_as_none() -> None:
    expected = np.ones((2, 3))
    got = expected.copy()
    got[0, 1], got[1, 2] = np.nan, np.inf
    check = compare("p", expected, got, TOL)
    assert not check.ok
    assert check.message == "p: NaN and inf at 2 of 6 elements (first at (0, 1)) where the expected value is finite"
    assert check.rel_error == float("inf")
    assert check.got_preview == [[1.0, None, 1.0], [1.0, 1.0, None]]
    assert check.expected_preview == [[1.0] * 3, [1.0] * 3]


def test_where_the_expected_value_is_not_finite_the_same_value_is_required() -> None:
    expected = np.array([0.0, -np.inf, np.nan, 2.0])
    assert compare("s", expected, expected.copy(), TOL).ok
    assert compare("s", expected, expected.astype(np.float32), TOL).ok
    for wrong, shown in ((-1e9, "-1000000000.0"), (np.inf, "inf"), (np.nan, "nan")):
        got = expected.copy()
        got[1] = wrong
        check = compare("s", expected, got, TOL)
        assert not check.ok, wrong
        assert check.message == (
            "s: 1 of 4 elements differ where the expected value is not finite, first at (1,): "
            f"expected -inf, got {shown}"
        )
    got = expected.copy()
    got[2] = 0.0
    assert not compare("s", expected, got, TOL).ok


def test_a_wrong_output_names_its_worst_elements_largest_first_and_carries_previews() -> None:
    expected = np.arange(12, dtype=np.float64).reshape(3, 4)
    got = expected.copy()
    got[2, 1] += 5.0
    got[0, 3] -= 2.0
    got[1, 0] += 0.5
    check = compare("dx", expected, got, TOL)
    assert not check.ok
    assert [(w.index, w.got - w.expected) for w in check.worst] == [((2, 1), 5.0), ((0, 3), -2.0), ((1, 0), 0.5)]
    assert check.rel_error == 5.0 / 11.0  # against the output's own scale, max|expected| = 11
    assert check.message.startswith("dx: relative error 0.455 > tolerance 0.0001; worst at (2, 1)")
    assert check.expected_preview == expected.tolist() and check.got_preview == got.tolist()


def test_previews_are_at_most_16_by_16_and_flatten_leading_axes() -> None:
    expected = np.zeros((2, 20, 30))
    check = compare("h", expected, expected + 1.0, TOL)
    assert check.expected_preview is not None
    assert len(check.expected_preview) == 16 and {len(r) for r in check.expected_preview} == {16}


def test_relative_error_uses_the_scale_of_the_expected_output() -> None:
    expected = np.array([1000.0, -2000.0])
    assert relative_error(expected, expected + 0.2) == pytest.approx(0.2 / 2000.0)
    assert relative_error(np.array([0.001]), np.array([0.002])) == pytest.approx(0.001)  # scale is at least 1
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
