"""Judging one mock entry: its score, status and what the report shows (question, your answer, the right one).

Multiple-choice answers are stored and shown in the numbering the candidate saw (the entry's shuffled order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from questions.schema import Flashcard, MultipleChoice
from quiz.choice_order import parse_numbers, to_shown
from quiz.mock.session import EntryState

WEIGHTING = ("The overall score weighs each question by its suggested time, so a 15-minute coding task counts "
             "as much as fifteen one-minute questions.")


@dataclass
class Judged:
    """The outcome of one entry (``score`` 0..1)."""

    score: float
    status: str
    detail: str = ""
    diagnoses: list[str] = field(default_factory=list)
    question: str = ""
    your_answer: str = ""
    correct_answer: str = ""
    explanation: str = ""


def _shown(item: MultipleChoice, order: list[int], positions: set[int]) -> str:
    return "; ".join(f"{k + 1}. {item.choices[order[k]].text}" for k in sorted(positions))


def judge_choice(item: MultipleChoice, choice_order: list[int] | None, answer: str) -> Judged:
    """A multiple-choice answer such as ``"1,3"`` in the shown numbering of ``choice_order``."""
    n = len(item.choices)
    order = choice_order if choice_order is not None and sorted(choice_order) == list(range(n)) else list(range(n))
    right = to_shown({i for i, c in enumerate(item.choices) if c.correct}, order)
    chosen = {k for k in parse_numbers(answer) if k < n}
    question = item.prompt + "\n\n" + "\n".join(f"{k + 1}. {item.choices[order[k]].text}" for k in range(n))
    judged = Judged(0.0, "unanswered", question=question, your_answer=_shown(item, order, chosen),
                    correct_answer=_shown(item, order, right), explanation=item.explanation)
    if not chosen:
        return judged
    if chosen == right:
        judged.score, judged.status = 1.0, "correct"
        return judged
    notes = [f"{k + 1} is wrong: {item.choices[order[k]].why.strip()}" for k in sorted(chosen - right)]
    if right - chosen:
        notes.append("missed: " + ", ".join(str(k + 1) for k in sorted(right - chosen)))
    judged.status, judged.detail = "incorrect", "; ".join(notes) + "."
    return judged


def judge_flashcard(item: Flashcard, done: EntryState) -> Judged:
    points = "\n".join(f"- {p}" for p in item.key_points)
    judged = Judged(0.0, "unanswered", correct_answer=f"{item.answer}\n\nKey points:\n{points}")
    if not done.answer.strip():
        return judged
    if done.ticked is None:
        judged.status, judged.detail = "not assessed", "tick the key points your answer covered"
        return judged
    covered = [i for i in done.ticked if 0 <= i < len(item.key_points)]
    judged.score = len(covered) / len(item.key_points)
    judged.status = "correct" if judged.score == 1 else "partial" if judged.score > 0 else "incorrect"
    judged.detail = f"{len(covered)} of {len(item.key_points)} key points"
    return judged


def judge_task(done: EntryState, text: Any) -> Judged:
    title = str(getattr(text, "title", "")) or "coding task"
    lines = len(done.answer.strip().splitlines())
    judged = Judged(0.0, "unanswered", "no code was submitted", question=title,
                    your_answer=f"{lines} lines of code" if lines else "",
                    explanation=str(getattr(text, "solution_notes", "") or ""))
    report = done.report
    if report is None or not done.answer.strip():
        return judged
    judged.score = report.score / report.max_score if report.max_score else 0.0
    judged.status, judged.detail, judged.diagnoses = report.verdict.value, report.message, list(report.diagnoses)
    return judged
