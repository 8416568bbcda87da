"""Answer checking: what people type is read forgivingly, judged strictly, and never raises."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from questions import check_answer, draw
from questions.checking import ParseError, parse_choices, parse_number, parse_shape
from questions.schema import MultipleChoice, Numeric, Parameterised, ShapeItem


def make(kind: str, **fields: Any) -> Any:
    base = {"id": f"t.{kind}", "topic": "shapes_broadcasting", "difficulty": "easy", "prompt": "What is it?"}
    models: dict[str, type[BaseModel]] = {
        "numeric": Numeric, "shape": ShapeItem, "mcq": MultipleChoice, "parameterised": Parameterised}
    model = models[kind]
    return model.model_validate({**base, "type": kind, **fields})


MCQ_ONE = make("mcq", choices=[
    {"text": "2mkn", "correct": True},
    {"text": "mkn", "why": "that counts multiply-adds, not FLOPs"},
    {"text": "m+k+n", "why": "a sum cannot scale like a product"},
    {"text": "4", "why": "a number"},
])
MCQ_MANY = make("mcq", choices=[
    {"text": "dropout", "correct": True},
    {"text": "batch norm", "correct": True},
    {"text": "layer norm", "why": "the same in train and eval"},
    {"text": "ReLU", "why": "stateless and mode-free"},
])


@pytest.mark.parametrize(
    ("raw", "correct"),
    [("1", True), ("a", True), ("A", True), (" a) ", True), ("(1)", True), ("2mkn", True), ("2", False),
     ("b", False), ("1,2", False), ("4", False), ("d", False)],
)
def test_mcq_single(raw: str, correct: bool) -> None:
    assert check_answer(MCQ_ONE, raw).correct is correct


@pytest.mark.parametrize(
    ("raw", "correct"),
    [("1,2", True), ("1, 2", True), ("2 1", True), ("a,b", True), ("ab", True), ("a and b", True),
     ("b & a", True), ("1+2", True), ("1", False), ("1,2,3", False), ("a,c", False), ("c d", False)],
)
def test_mcq_multiple_needs_exactly_the_set(raw: str, correct: bool) -> None:
    assert check_answer(MCQ_MANY, raw).correct is correct


def test_mcq_feedback_explains_wrong_and_missing_choices() -> None:
    r = check_answer(MCQ_MANY, "a,c")
    assert "c is wrong: the same in train and eval" in r.feedback and "missed: b" in r.feedback
    assert "dropout" in r.expected and "batch norm" in r.expected
    r = check_answer(MCQ_MANY, "a")
    assert "more than one choice is correct" in r.feedback


@pytest.mark.parametrize(
    ("raw", "message"),
    [("", "no answer given"), ("7", "there is no choice 7"), ("e", "there is no choice 'e'"),
     ("maybe?", "could not read a choice"), ("99999999999", "there is no choice")],
)
def test_mcq_unreadable(raw: str, message: str) -> None:
    r = check_answer(MCQ_ONE, raw)
    assert not r.correct and message in r.feedback


def test_mcq_number_wins_over_choice_text() -> None:
    assert parse_choices("4", 4, ["2mkn", "mkn", "m+k+n", "4"]) == {3}  # choice 4, which happens to be "4"
    assert parse_choices("m+k+n", 4, ["2mkn", "mkn", "m+k+n", "4"]) == {2}


NUMBERS = [
    ("1000000", 1e6), ("1,000,000", 1e6), ("1 000 000", 1e6), ("1_000_000", 1e6), ("1e6", 1e6),
    ("2.0e6", 2e6), ("1E-3", 1e-3), ("3.5k", 3500), ("3.5K", 3500), ("2M", 2e6), ("1.2G", 1.2e9), ("4T", 4e12),
    ("2 million", 2e6), ("1.5 billion", 1.5e9), ("1/3", 1 / 3), ("-0.25", -0.25), ("−2", -2), (".5", 0.5),
    ("≈ 42", 42), ("~42", 42), ("= 42", 42), ("about 42", 42), ("25%", 0.25),
    ("2*64*128", 16384), ("2^10", 1024), ("2**10", 1024), ("(3+1)*2", 8),
    ("1,234.5", 1234.5), (" 7 ", 7), ("1\u202f000", 1000),
]


@pytest.mark.parametrize(("raw", "value"), NUMBERS)
def test_parse_number(raw: str, value: float) -> None:
    assert parse_number(raw) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("raw", ["", "abc", "1,5", "1,00", "12 34", "e", "2**", "1/0", "x = 3", "1e999",
                                 "9" * 5000, "nan", "inf", "__import__('os')", "2 ** 10 ** 10"])
def test_parse_number_rejects(raw: str) -> None:
    with pytest.raises(ParseError):
        parse_number(raw)


def test_unit_and_percent_with_the_items_unit() -> None:
    assert parse_number("16 MB", unit="MB") == 16
    assert parse_number("16MB", unit="MB") == 16
    assert parse_number("42 FLOPs", unit="FLOPs") == 42
    assert parse_number("25%", unit="%") == 25
    with pytest.raises(ParseError, match="no unit"):
        parse_number("16 MB")  # an item without a unit takes a plain number


NUMERIC = make("numeric", answer=1179648, tolerance={"kind": "rel", "value": 0.0})


@pytest.mark.parametrize(
    ("raw", "correct"),
    [("1179648", True), ("1,179,648", True), ("1 179 648", True), ("1.179648e6", True), ("1.179648M", True),
     ("1152 * 1024", True), ("1.18M", False), ("1179647", False), ("1,179,649", False)],
)
def test_numeric_exact(raw: str, correct: bool) -> None:
    assert check_answer(NUMERIC, raw).correct is correct


def test_numeric_tolerance() -> None:
    rel = make("numeric", answer=0.0884, tolerance={"kind": "rel", "value": 0.01})
    assert check_answer(rel, "0.088").correct and check_answer(rel, "0.0892").correct
    assert not check_answer(rel, "0.087").correct
    absolute = make("numeric", answer=0.5, tolerance={"kind": "abs", "value": 0.01})
    assert check_answer(absolute, "0.49").correct and not check_answer(absolute, "0.48").correct
    zero = make("numeric", answer=0.0, tolerance={"kind": "rel", "value": 0.01})
    assert check_answer(zero, "0").correct and not check_answer(zero, "1e-6").correct


def test_numeric_feedback() -> None:
    r = check_answer(NUMERIC, "589824")
    assert not r.correct and "expected 1,179,648" in r.feedback and "factor of 2" in r.feedback
    r = check_answer(NUMERIC, "abc")
    assert not r.correct and r.feedback.startswith("could not read a number from 'abc'")
    assert r.expected == "1,179,648"


SHAPES = [
    ("(32, 64)", (32, 64)), ("32x64", (32, 64)), ("32 x 64", (32, 64)), ("32X64", (32, 64)), ("[32, 64]", (32, 64)),
    ("32, 64", (32, 64)), ("32×64", (32, 64)), ("32*64", (2048,)), ("32 64", (32, 64)), ("32 by 64", (32, 64)),
    ("torch.Size([32, 64])", (32, 64)), ("torch.Size([])", ()), ("(32,)", (32,)), ("32", (32,)), ("()", ()),
    ("[]", ()), ("shape: (2, 3, 4)", (2, 3, 4)), ("( 2 ,3,4 , )", (2, 3, 4)), ("{2, 3}", (2, 3)),
]


@pytest.mark.parametrize(("raw", "shape"), SHAPES)
def test_parse_shape(raw: str, shape: tuple[int, ...]) -> None:
    assert parse_shape(raw) == shape


@pytest.mark.parametrize("raw", ["", "(N, 64)", "(32, , 64)", "32.5 x 2", "(-1, 3)", "shape", "²", "9" * 50])
def test_parse_shape_rejects(raw: str) -> None:
    with pytest.raises(ParseError):
        parse_shape(raw)


def test_shape_feedback() -> None:
    item = make("shape", answer=[8, 16, 15, 15])
    assert check_answer(item, "8x16x15x15").correct
    assert "wrong order" in check_answer(item, "(8, 15, 16, 15)").feedback
    assert "3 axes where 4 were expected" in check_answer(item, "(16, 15, 15)").feedback
    assert "axis 1 is wrong" in check_answer(item, "(8, 17, 15, 15)").feedback
    r = check_answer(item, "(N, C, H, W)")
    assert not r.correct and "could not read a shape" in r.feedback and r.expected == "(8, 16, 15, 15)"


def test_parameterised_uses_the_given_params() -> None:
    item = make("parameterised", prompt="Conv on {H} with k={k}", answer_kind="numeric",
                calculator="conv_output_size", params={"H": {"min": 8, "max": 32}}, fixed={"k": 3})
    r = check_answer(item, "30", {"H": 32})
    assert r.correct and r.working is not None and "= 30" in r.working
    assert not check_answer(item, "30", {"H": 31}).correct
    d = draw(item, 3)
    assert check_answer(item, str(d.answer), d).correct
    assert check_answer(item, str(d.answer), d.params).correct
    with pytest.raises(ValueError, match="parameterised"):
        check_answer(item, "30")


def test_flashcards_are_self_rated() -> None:
    from questions.schema import Flashcard

    card = Flashcard.model_validate({"id": "t.card", "type": "flashcard", "topic": "losses", "difficulty": "easy",
                                     "prompt": "Why softmax?", "answer": "Because ...",
                                     "key_points": ["a", "b"]})
    r = check_answer(card, "anything")
    assert not r.correct and "self-rated" in r.feedback and r.expected == "Because ..."


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_checking_never_raises_on_any_text(raw: str) -> None:
    for item in (MCQ_ONE, MCQ_MANY, NUMERIC, make("shape", answer=[2, 3])):
        result = check_answer(item, raw)
        assert isinstance(result.correct, bool) and isinstance(result.feedback, str) and result.feedback
