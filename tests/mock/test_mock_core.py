"""Mock interviews without the UI: draws, the clock, time-out submission, scoring and the exported report."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from engine.report import GradeReport, Verdict
from questions.params import draw
from questions.schema import Choice, Flashcard, MultipleChoice, Numeric, Parameterised, TaskText
from quiz.mock.export import render
from quiz.mock.plan import MockPlan, PlanError, draw_plan
from quiz.mock.presets import builtin_presets, custom_preset, get_preset
from quiz.mock.scoring import score_mock
from quiz.mock.session import MockSession

TOPICS = ["forward_propagation", "backpropagation", "activations", "losses", "softmax_stability"]


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


def _items() -> list[object]:
    items: list[object] = []
    for n, topic in enumerate(TOPICS):
        items.append(
            MultipleChoice(
                id=f"{topic}.mcq",
                type="mcq",
                topic=topic,
                difficulty="easy",
                prompt="Which one is right?",
                seconds=60,
                related_tasks=["relu"],
                choices=[Choice(text="a", correct=True), Choice(text="b", why="no"), Choice(text="c", why="no")],
            )
        )
        items.append(
            Numeric(
                id=f"{topic}.num",
                type="numeric",
                topic=topic,
                difficulty="medium",
                prompt="How many?",
                seconds=60,
                answer=float(n + 2),
            )
        )
        items.append(
            Flashcard(
                id=f"{topic}.card",
                type="flashcard",
                topic=topic,
                difficulty="hard",
                prompt="Explain it.",
                seconds=120,
                answer="Because of reasons.",
                key_points=["first", "second"],
            )
        )
    items.append(
        Parameterised(
            id="shapes.linear",
            type="parameterised",
            topic="shapes_broadcasting",
            difficulty="easy",
            prompt="x is ({N}, {d_in}); Linear({d_in}, {d_out}). Shape of y?",
            answer_kind="shape",
            calculator="linear_output_shape",
            params={"N": {"min": 1, "max": 8}, "d_in": {"min": 2, "max": 9}, "d_out": {"min": 2, "max": 9}},
        )
    )
    return items


def _tasks() -> dict[str, TaskText]:
    def text(tid: str, difficulty: str, topic: str) -> TaskText:
        return TaskText(
            id=tid,
            title=tid,
            topic=topic,
            difficulty=difficulty,
            minutes=15,  # type: ignore[arg-type]
            statement="Implement it. " * 10,
            starter="def f():\n    pass\n",
            hints=["a", "b"],
            solution_notes="Straightforward vectorised NumPy.",
        )

    return {
        "relu": text("relu", "easy", "activations"),
        "linear": text("linear", "medium", "backpropagation"),
        "softmax": text("softmax", "easy", "softmax_stability"),
    }


def test_presets_are_valid_and_cover_the_issue() -> None:
    presets = builtin_presets()
    assert {"phone_screen", "onsite_fundamentals", "lightning"} <= set(presets)
    phone, onsite, lightning = presets["phone_screen"], presets["onsite_fundamentals"], presets["lightning"]
    assert phone.minutes == 30 and 6 <= phone.concept_items <= 8 and len(phone.coding) == 1
    assert onsite.minutes == 45 and onsite.concept_items == 5 and onsite.coding == ["easy", "medium"]
    assert lightning.minutes == 10 and not lightning.coding and "flashcard" not in lightning.item_types


def test_draw_is_reproducible_and_spreads_topics() -> None:
    preset = custom_preset(minutes=30, concept_items=5, coding=["easy"], topics=[])
    a = draw_plan(preset, _items(), _tasks(), seed=7)
    b = draw_plan(preset, _items(), _tasks(), seed=7)
    assert a == b
    concept = [e for e in a.entries if e.kind == "item"]
    assert len({e.topic for e in concept}) == 5, "five items from five different topics"
    assert sum(e.suggested_seconds for e in a.entries) == pytest.approx(30 * 60, abs=len(a.entries))
    assert [e.kind for e in a.entries][-1] == "task"


def test_draw_avoids_recent_items_where_possible() -> None:
    preset = custom_preset(minutes=20, concept_items=5, coding=[], topics=[], item_types=["mcq", "numeric"])
    first = draw_plan(preset, _items(), _tasks(), seed=1)
    seen = {e.ref for e in first.entries}
    second = draw_plan(preset, _items(), _tasks(), seed=1, recent=seen)
    assert not seen & {e.ref for e in second.entries}


def test_draw_too_small_a_bank_is_a_clear_error() -> None:
    with pytest.raises(PlanError, match="only"):
        draw_plan(custom_preset(10, 40, [], []), _items(), _tasks(), seed=0)


def _plan() -> MockPlan:
    preset = custom_preset(minutes=10, concept_items=3, coding=["medium"], topics=["backpropagation"])
    return draw_plan(preset, _items(), _tasks(), seed=3)


def test_time_out_submits_everything_as_it_stands() -> None:
    clock = FakeClock()
    session = MockSession.start(_plan(), clock)
    session.set_answer(0, "something")
    clock.advance(60)
    session.go_to(1)
    assert not session.tick()
    clock.advance(10 * 60)
    assert session.tick() and session.state.status == "submitted" and session.state.timed_out
    session.set_answer(1, "too late")
    assert session.state.entries[1].answer == ""
    assert session.state.entries[0].seconds == 60
    assert session.state.entries[1].seconds == pytest.approx(9 * 60)


def test_report_figures_from_known_answers() -> None:
    clock = FakeClock()
    plan = _plan()
    items = {i.id: i for i in _items()}  # type: ignore[attr-defined]
    session = MockSession.start(plan, clock)
    by_ref = {e.ref: e.index for e in plan.entries}
    mcq = plan.entries[by_ref["backpropagation.mcq"]]
    assert mcq.choice_order is not None
    shown_right = mcq.choice_order.index(0) + 1  # the key ("a", bank index 0) as the candidate saw it
    session.set_answer(mcq.index, str(shown_right))  # right
    session.set_answer(by_ref["backpropagation.num"], "7")  # wrong (answer 3)
    session.set_answer(by_ref["backpropagation.card"], "my typed answer")
    session.set_answer(by_ref["linear"], "def linear_forward(x, W, b): ...")
    clock.advance(120)
    session.submit()
    session.set_report(
        by_ref["linear"],
        GradeReport(
            task="linear", verdict=Verdict.WRONG_ANSWER, score=40, max_score=100, diagnoses=["dW is the transpose"]
        ),
    )
    session.assess(by_ref["backpropagation.card"], [1])  # one of two key points
    session.finish()
    report = score_mock(session.state, items, _tasks())
    weights = {e.ref: e.suggested_seconds for e in plan.entries}
    shares = {"backpropagation.mcq": 1.0, "backpropagation.num": 0.0, "backpropagation.card": 0.5, "linear": 0.4}
    expected = 100 * sum(shares[r] * weights[r] for r in shares) / sum(weights.values())
    assert report.overall == pytest.approx(expected, abs=0.05)
    concept = [r for r in shares if r != "linear"]
    assert report.sections["concepts"] == pytest.approx(
        100 * sum(shares[r] * weights[r] for r in concept) / sum(weights[r] for r in concept), abs=0.05
    )
    assert report.sections["coding"] == 40.0
    assert report.weakest and report.weakest[0].topic == "backpropagation"
    assert "linear" in report.weakest[0].advice
    scored = {e.ref: e for e in report.entries}
    assert scored["backpropagation.mcq"].your_answer == f"{shown_right}. a"
    assert scored["backpropagation.mcq"].correct_answer == f"{shown_right}. a"
    assert scored["backpropagation.num"].your_answer == "7" and scored["backpropagation.num"].correct_answer == "3"
    assert scored["backpropagation.num"].question == "How many?"
    md = render(report, "md")
    assert "Overall:" in md and "dW is the transpose" in md
    assert "weighs each question by its suggested time" in md
    assert f"**Your answer:** {shown_right}. a" in md and "**Correct answer:** 3" in md
    assert json.loads(render(report, "json"))["overall"] == report.overall
    page = render(report, "html")
    HTMLParser().feed(page)
    assert "<script" not in page and "http" not in page.split("<body>")[1]


def test_parameterised_entries_are_scored_with_their_drawn_parameters() -> None:
    preset = custom_preset(minutes=5, concept_items=1, coding=[], topics=["shapes_broadcasting"])
    plan = draw_plan(preset, _items(), _tasks(), seed=11)
    items = {i.id: i for i in _items()}  # type: ignore[attr-defined]
    entry = plan.entries[0]
    drawn = draw(items[entry.ref], entry.seed)
    session = MockSession.start(plan, FakeClock())
    session.set_answer(0, str(drawn.answer))
    session.submit()
    assert score_mock(session.state, items, _tasks()).overall == 100.0


def test_unknown_preset_message() -> None:
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        get_preset("nope")


def test_choices_are_shuffled_per_entry_and_scored_in_the_shown_numbering() -> None:
    items = {i.id: i for i in _items()}  # type: ignore[attr-defined]
    preset = custom_preset(minutes=30, concept_items=12, coding=[], topics=TOPICS)
    orders = []
    for seed in range(6):
        plan = draw_plan(preset, list(items.values()), _tasks(), seed=seed)
        assert plan == draw_plan(preset, list(items.values()), _tasks(), seed=seed)  # reproducible
        for entry in plan.entries:
            if entry.item_type != "mcq":
                assert entry.choice_order is None
                continue
            assert entry.choice_order is not None and sorted(entry.choice_order) == [0, 1, 2]
            orders.append(tuple(entry.choice_order))
            session = MockSession.start(plan, FakeClock())
            wrong = next(k for k, b in enumerate(entry.choice_order) if b != 0) + 1
            session.set_answer(entry.index, str(wrong))
            session.submit()
            (scored,) = [e for e in score_mock(session.state, items, _tasks()).entries if e.index == entry.index]
            assert scored.status == "incorrect" and scored.detail.startswith(f"{wrong} is wrong")
            assert scored.correct_answer == f"{entry.choice_order.index(0) + 1}. a"
    assert orders.count((0, 1, 2)) < len(orders) / 2  # the key is not always shown first
    assert {o.index(0) for o in orders} == {0, 1, 2}  # and it is shown at every position
