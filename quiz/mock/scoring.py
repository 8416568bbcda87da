"""Scoring a mock and writing its report: overall, per section and topic, time against suggestion, advice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from questions.checking import check_answer
from questions.params import draw
from questions.schema import TOPICS, Flashcard, MultipleChoice, Parameterised, TaskText
from quiz.mock.judging import Judged, judge_choice, judge_flashcard, judge_task
from quiz.mock.session import MockState

STRONG = 0.8


class EntryScore(BaseModel):
    """One question of a mock as the report shows it. Multiple-choice numbers are the ones the candidate saw."""

    index: int
    kind: str
    ref: str
    topic: str
    item_type: str
    score: float = Field(ge=0, le=1)
    weight: float = Field(description="The entry's suggested seconds: the overall score weighs entries by them.")
    seconds: float
    suggested_seconds: int
    status: str = Field(description="correct, incorrect, partial, unanswered, not assessed, or a coding verdict")
    detail: str = ""
    diagnoses: list[str] = Field(default_factory=list)
    question: str = Field("", description="The question as shown (multiple choice: its choices in shown order).")
    your_answer: str = ""
    correct_answer: str = ""
    explanation: str = ""


class WeakTopic(BaseModel):
    topic: str
    title: str
    score: float
    advice: str


class MockReport(BaseModel):
    id: str
    preset: str
    title: str
    started_at: datetime
    seed: int
    timed_out: bool
    overall: float = Field(description="0 to 100")
    sections: dict[str, float]
    topics: dict[str, float]
    entries: list[EntryScore]
    strengths: list[str]
    weakest: list[WeakTopic]
    time_used_seconds: float
    time_allowed_seconds: int


def _score_entry(state: MockState, index: int, items: Mapping[str, Any], tasks: Mapping[str, TaskText]) -> Judged:
    entry, done = state.plan.entries[index], state.entries[index]
    if entry.kind == "task":
        return judge_task(done, tasks.get(entry.ref))
    item = items.get(entry.ref)
    if item is None:
        return Judged(0.0, "unavailable", f"item {entry.ref} is no longer in the bank")
    if isinstance(item, MultipleChoice):
        return judge_choice(item, entry.choice_order, done.answer)
    question = draw(item, entry.seed).prompt if isinstance(item, Parameterised) else item.prompt
    if isinstance(item, Flashcard):
        judged = judge_flashcard(item, done)
    elif not done.answer.strip():
        judged = Judged(0.0, "unanswered")
    else:
        params = draw(item, entry.seed) if isinstance(item, Parameterised) else None
        result = check_answer(item, done.answer, params)
        judged = Judged(1.0 if result.correct else 0.0, "correct" if result.correct else "incorrect",
                        "" if result.correct else result.feedback, correct_answer=result.expected)
    if not judged.correct_answer and not isinstance(item, Flashcard):
        params = draw(item, entry.seed) if isinstance(item, Parameterised) else None
        judged.correct_answer = check_answer(item, "", params).expected
    judged.question, judged.your_answer, judged.explanation = question, done.answer.strip(), item.explanation
    return judged


def score_mock(state: MockState, items: Mapping[str, Any], tasks: Mapping[str, TaskText]) -> MockReport:
    """The report of a submitted mock. ``items`` maps bank ids to items; ``tasks`` task ids to their texts.

    Each entry scores 0..1 (auto-graded: right or wrong; typed concept answers: the share of key points the
    candidate ticked; coding: the engine's score) and weighs by its suggested time, so a 15-minute coding task
    counts more than a one-minute multiple-choice question.
    """
    scores: list[EntryScore] = []
    for entry in state.plan.entries:
        judged = _score_entry(state, entry.index, items, tasks)
        scores.append(
            EntryScore(
                index=entry.index,
                kind=entry.kind,
                ref=entry.ref,
                topic=entry.topic,
                item_type=entry.item_type,
                score=judged.score,
                weight=float(entry.suggested_seconds),
                seconds=round(state.entries[entry.index].seconds, 1),
                suggested_seconds=entry.suggested_seconds,
                status=judged.status,
                detail=judged.detail,
                diagnoses=judged.diagnoses,
                question=judged.question,
                your_answer=judged.your_answer,
                correct_answer=judged.correct_answer,
                explanation=judged.explanation,
            )
        )

    def weighted(group: list[EntryScore]) -> float:
        total = sum(s.weight for s in group)
        return round(100 * sum(s.score * s.weight for s in group) / total, 1) if total else 0.0

    by_section: dict[str, list[EntryScore]] = defaultdict(list)
    by_topic: dict[str, list[EntryScore]] = defaultdict(list)
    for s in scores:
        by_section["coding" if s.kind == "task" else "concepts"].append(s)
        by_topic[s.topic].append(s)
    topic_scores = {t: weighted(g) for t, g in sorted(by_topic.items())}
    strengths = [TOPICS.get(t, t) for t, v in topic_scores.items() if v >= 100 * STRONG]
    weakest = [
        WeakTopic(topic=t, title=TOPICS.get(t, t), score=v, advice=_advice(t, by_topic[t], items, tasks))
        for t, v in sorted(topic_scores.items(), key=lambda kv: (kv[1], kv[0]))[:3]
        if v < 100
    ]
    return MockReport(
        id=state.id,
        preset=state.plan.preset.name,
        title=state.plan.preset.title,
        started_at=state.started_at,
        seed=state.plan.seed,
        timed_out=state.timed_out,
        overall=weighted(scores),
        sections={k: weighted(v) for k, v in sorted(by_section.items())},
        topics=topic_scores,
        entries=scores,
        strengths=strengths,
        weakest=weakest,
        time_used_seconds=round(sum(e.seconds for e in state.entries), 1),
        time_allowed_seconds=state.plan.total_seconds,
    )


def _advice(topic: str, group: list[EntryScore], items: Mapping[str, Any], tasks: Mapping[str, TaskText]) -> str:
    missed = [s for s in group if s.score < 1]
    related: list[str] = []
    for s in missed:
        if s.kind == "task":
            related.append(s.ref)
        else:
            related.extend(getattr(items.get(s.ref), "related_tasks", []))
    related = list(dict.fromkeys(r for r in related if r in tasks))
    parts = [f"revisit {TOPICS.get(topic, topic).lower()} in a practice session"]
    if missed:
        parts.append("the questions you missed: " + ", ".join(s.ref for s in missed if s.kind == "item") or "")
    if related:
        parts.append("practise the coding task" + ("s " if len(related) > 1 else " ") + ", ".join(related))
    return "; ".join(p for p in parts if p and not p.endswith(": "))
