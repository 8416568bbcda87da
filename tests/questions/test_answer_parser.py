"""The answer grammar (questions.answer_parser): the cases the issue names, then properties over many inputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions import check_answer
from questions.answer_parser import MAGNITUDES, ParseError, parse_number, parse_shape
from questions.schema import Numeric

dims = st.integers(min_value=0, max_value=100_000)
small = st.integers(min_value=1, max_value=64)


@pytest.mark.parametrize(("raw", "shape"), [
    ("(64, 64*8*8)", (64, 4096)), ("(2*3, 4)", (6, 4)), ("(2+2, 3-1)", (4, 2)), ("[2 * 3, (1+1)*2]", (6, 4)),
    ("(2x3, 4)", (6, 4)), ("torch.Size([8, 4*4])", (8, 16)),
])
def test_shapes_with_arithmetic_in_dimensions(raw: str, shape: tuple[int, ...]) -> None:
    assert parse_shape(raw) == shape


@pytest.mark.parametrize(("raw", "value"), [
    ("2x3", 6), ("2 x 3", 6), ("2×3", 6), ("2 × 3", 6), ("7B", 7e9), ("7bn", 7e9), ("7 bn", 7e9), ("7 billion", 7e9),
    ("1.5k", 1500), ("3M", 3e6), ("2T", 2e12), ("2G", 2e9), ("4 x 1.5M", 6e6), ("2*3.5k", 7000),
])
def test_numbers_products_and_magnitudes(raw: str, value: float) -> None:
    assert parse_number(raw) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(("raw", "unit", "value"), [
    ("14G", "GB", 14), ("14 GB", "GB", 14), ("14GB", "GB", 14), ("14 gb", "GB", 14), ("14000 MB", "GB", 14),
    ("14e9 B", "GB", 14), ("14e9 bytes", "GB", 14), ("98 MiB", "MiB", 98), ("98 MiB", "MB", 98 * 2**20 / 1e6),
    ("100 MB", "MiB", 1e8 / 2**20), ("1 GiB", "MiB", 1024), ("3.5M", "MB", 3.5), ("2 GFLOPs", "FLOPs", 2e9),
    ("7B", "parameters", 7e9), ("7B params", "parameters", 7e9), ("1.2 TFLOPs", "GFLOPs", 1200), ("512 B", "KB", 0.512),
])
def test_units_are_converted_to_the_items_unit(raw: str, unit: str, value: float) -> None:
    assert parse_number(raw, unit) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(("raw", "unit", "message"), [
    ("5 apples", None, "'apples' after the number (this question has no unit"),
    ("5 apples", "MB", "'apples' after the number (this question's unit is MB)"),
    ("5 GFLOPs", "GB", "'GFLOPs'"), ("5 MB", "parameters", "'MB'"), ("5 m", None, "'m'"),
])
def test_unknown_trailing_words_are_rejected_with_a_message(raw: str, unit: str | None, message: str) -> None:
    with pytest.raises(ParseError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_number(raw, unit)


def test_a_memory_item_in_gb_accepts_its_unit_however_written() -> None:
    item = Numeric.model_validate({"id": "t.mem", "type": "numeric", "topic": "flops_params_memory",
                                   "difficulty": "easy", "prompt": "How many GB?", "answer": 14, "unit": "GB"})
    for raw in ("14", "14G", "14 GB", "14000 MB", "14e9 bytes"):
        assert check_answer(item, raw).correct, raw
    wrong = check_answer(item, "14 apples")
    assert not wrong.correct and "apples" in wrong.feedback


@settings(max_examples=200, deadline=None)
@given(st.lists(dims, min_size=1, max_size=5), st.sampled_from([", ", ",", " , "]), st.sampled_from("([{"))
def test_any_comma_shape_reads_back(shape: list[int], sep: str, bracket: str) -> None:
    close = {"(": ")", "[": "]", "{": "}"}[bracket]
    assert parse_shape(bracket + sep.join(map(str, shape)) + close) == tuple(shape)
    if len(shape) > 1:
        assert parse_shape("x".join(map(str, shape))) == tuple(shape)


@settings(max_examples=200, deadline=None)
@given(dims, small, small, dims)
def test_products_and_sums_inside_a_dimension(a: int, b: int, c: int, d: int) -> None:
    assert parse_shape(f"({a}, {b}*{c})") == (a, b * c)
    assert parse_shape(f"({a} + {b}, {d})") == (a + b, d)
    assert parse_shape(f"({b}*{c}*{c}, {d})") == (b * c * c, d)


@settings(max_examples=200, deadline=None)
@given(dims, dims, st.sampled_from(["x", " x ", "×", " × ", "*", " * "]))
def test_x_multiplies_numbers(a: int, b: int, op: str) -> None:
    assert parse_number(f"{a}{op}{b}") == a * b


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.sampled_from(sorted(MAGNITUDES)))
def test_numbers_and_magnitudes(x: float, magnitude: str) -> None:
    assert parse_number(repr(x)) == x
    space = " " if magnitude.isalpha() and len(magnitude) > 2 else ""
    assert parse_number(f"{abs(x)!r}{space}{magnitude}") == pytest.approx(abs(x) * MAGNITUDES[magnitude], rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["MB", "GB", "MiB", "KB", "GiB"]),
       st.sampled_from(["MB", "GB", "MiB", "KB", "GiB", "bytes"]))
def test_unit_conversions_agree_with_byte_counts(n: int, unit: str, typed: str) -> None:
    factor = {"bytes": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "MiB": 2**20, "GiB": 2**30}
    assert parse_number(f"{n} {typed}", unit) == pytest.approx(n * factor[typed] / factor[unit], rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=999), st.from_regex(r"[a-z]{3,10}", fullmatch=True))
def test_a_trailing_word_that_is_no_unit_is_rejected(n: int, word: str) -> None:
    if word in MAGNITUDES or word in ("bytes", "byte", "flops", "flop", "kflops", "mflops", "gflops", "tflops",
                                      "param", "params", "parameter", "parameters", "percent"):
        return
    with pytest.raises(ParseError):
        parse_number(f"{n} {word}", "MB")
    with pytest.raises(ParseError):
        parse_number(f"{n} {word}")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, "MB", "GB", "%", "FLOPs", "parameters", "ms"]))
def test_only_parse_errors_on_any_text(raw: str, unit: str | None) -> None:
    for parse in (lambda: parse_number(raw, unit), lambda: parse_shape(raw)):
        try:
            parse()
        except ParseError as e:
            assert str(e)
