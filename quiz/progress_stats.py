"""The figures of the stats screen and of ``nnprep stats``, computed from the store.

Definitions (stated once, used by the screen and the CLI alike):

- An attempt counts towards a topic when its target is a bank item (kind ``item`` or ``mock``) found in the
  ``item_topics`` mapping. It is *correct* when auto-graded correct; a self-rated attempt (``correct`` unknown)
  counts as correct when rated Hard, Good or Easy and wrong when rated Again; attempts with neither are ignored.
- Mastery per topic: the share correct over all its attempts; *recall*, the share of the topic's items whose
  latest attempt was correct (what you can recall now, from real answers); the trend compares the share correct
  over the last ``w`` attempts with the ``w`` before them, ``w = min(TREND_WINDOW, attempts // 2)`` (from 4
  attempts on: 2 against 2); average FSRS retrievability at ``now`` (a prediction) over the topic's reviewed items.
- Activity: attempts of any kind (quiz, coding submissions, mock answers) per calendar day in ``tz``, for the last
  ``HEATMAP_DAYS`` (26 weeks) ending today. The streak is the run of consecutive active days ending today, or
  ending yesterday when nothing has been done yet today (the streak is not lost until the day is over).
- Due: items due now (overdue included) and per day for the next 7 days (today first, overdue counted today).
- Coding tasks: a task is solved when a stored grade report for it has verdict ``passed``; its topic comes from
  ``task_topics``.
- Mock scores: finished mock sessions with a score, oldest first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta, tzinfo

from pydantic import BaseModel, Field

from questions.schema import TOPICS
from quiz import scheduling
from quiz.scheduling import DayCount
from quiz.store import Outcome, Store

TREND_WINDOW = 20
TREND_MIN_WINDOW = 2
HEATMAP_DAYS = 26 * 7
DUE_DAYS = 7


class TopicMastery(BaseModel):
    """How well one topic is known."""

    topic: str
    label: str
    items: int = Field(description="Bank items in the topic.")
    items_reviewed: int = Field(description="Items with an FSRS review state.")
    attempts: int = Field(description="Attempts that count (correct or wrong known).")
    correct: int
    share_correct: float | None = None
    recall: float | None = Field(None, description="Share of the topic's items whose latest attempt was correct.")
    recent_share: float | None = Field(None, description=f"Share correct over the last w <= {TREND_WINDOW} attempts.")
    previous_share: float | None = Field(None, description="Share correct over the w attempts before those.")
    trend: float | None = Field(None, description="recent_share - previous_share; positive is improving.")
    avg_retrievability: float | None = Field(None, description="Mean FSRS recall probability now, 0..1.")
    due_now: int = 0


class TaskTopicProgress(BaseModel):
    """Coding tasks solved in one topic."""

    topic: str
    label: str
    solved: int
    total: int


class MockScore(BaseModel):
    """One finished mock interview."""

    session_id: str
    preset: str
    ended_at: datetime
    score: float


class ProgressStats(BaseModel):
    """Everything the stats screen shows."""

    generated_at: datetime
    timezone: str
    total_attempts: int
    items_total: int
    items_reviewed: int
    topics: list[TopicMastery]
    activity: list[DayCount] = Field(description=f"Attempts per day, last {HEATMAP_DAYS} days, oldest first.")
    streak_days: int
    longest_streak_days: int
    active_today: bool
    due_now: int
    due_next_days: list[DayCount] = Field(description=f"Items due on each of the next {DUE_DAYS} days.")
    leeches: list[str]
    tasks_solved: int
    tasks_total: int
    tasks_by_topic: list[TaskTopicProgress]
    mock_scores: list[MockScore]


def _outcome(a: Outcome) -> bool | None:
    if a.correct is not None:
        return a.correct
    if a.rating is not None:
        return a.rating > 1
    return None


def _share(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def _topic_order(topics: set[str]) -> list[str]:
    known = [t for t in TOPICS if t in topics]
    return known + sorted(topics - set(TOPICS))


def _streaks(active: set[date], today: date) -> tuple[int, int]:
    """(current streak ending today or yesterday, longest streak ever)."""
    start = today if today in active else today - timedelta(days=1)
    current = 0
    while start - timedelta(days=current) in active:
        current += 1
    longest = run = 0
    previous: date | None = None
    for day in sorted(active):
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    return current, longest


def compute_stats(
    store: Store,
    item_topics: dict[str, str],
    task_topics: dict[str, str],
    now: datetime,
    tz: tzinfo = UTC,
) -> ProgressStats:
    """All figures at ``now``; calendar days are taken in ``tz`` (the CLI passes the local timezone)."""
    now = now.astimezone(UTC)
    today = now.astimezone(tz).date()

    # Mastery per topic
    outcomes: dict[str, list[bool]] = defaultdict(list)
    latest: dict[str, dict[str, bool]] = defaultdict(dict)  # topic -> item -> its latest outcome
    for a in store.attempt_outcomes(("item", "mock")):
        if a.target_id in item_topics:
            ok = _outcome(a)
            if ok is not None:
                outcomes[item_topics[a.target_id]].append(ok)
                latest[item_topics[a.target_id]][a.target_id] = ok
    items_per_topic = Counter(item_topics.values())
    retr: dict[str, list[float]] = defaultdict(list)
    due_by_topic: Counter[str] = Counter()
    states = store.review_states()
    for s in states:
        topic = item_topics.get(s.item_id)
        if topic is None:
            continue
        retr[topic].append(scheduling.retrievability(s, now))
        if s.due <= now:
            due_by_topic[topic] += 1
    topics: list[TopicMastery] = []
    for topic in _topic_order(set(items_per_topic) | set(outcomes)):
        values = outcomes.get(topic, [])
        window = min(TREND_WINDOW, len(values) // 2)
        recent = values[-window:] if window >= TREND_MIN_WINDOW else []
        previous = values[-2 * window:-window] if window >= TREND_MIN_WINDOW else []
        recent_share, previous_share = _share(recent), _share(previous)
        topics.append(TopicMastery(
            topic=topic, label=TOPICS.get(topic, topic), items=items_per_topic.get(topic, 0),
            items_reviewed=len(retr.get(topic, [])), attempts=len(values), correct=sum(values),
            share_correct=_share(values), recall=_share(list(latest[topic].values())) if topic in latest else None,
            recent_share=recent_share, previous_share=previous_share,
            trend=(recent_share - previous_share) if recent_share is not None and previous_share is not None
            else None,
            avg_retrievability=(sum(retr[topic]) / len(retr[topic])) if retr.get(topic) else None,
            due_now=due_by_topic.get(topic, 0),
        ))

    # Activity, streaks
    per_day: Counter[date] = Counter(t.astimezone(tz).date() for t in store.attempt_times())
    first = today - timedelta(days=HEATMAP_DAYS - 1)
    activity = [DayCount(day=(first + timedelta(days=i)).isoformat(), count=per_day.get(first + timedelta(days=i), 0))
                for i in range(HEATMAP_DAYS)]
    streak, longest = _streaks({d for d, n in per_day.items() if n > 0 and d <= today}, today)

    # Coding tasks
    solved = store.solved_task_ids()
    task_totals = Counter(task_topics.values())
    task_solved = Counter(task_topics[t] for t in solved if t in task_topics)
    tasks_by_topic = [TaskTopicProgress(topic=t, label=TOPICS.get(t, t), solved=task_solved.get(t, 0),
                                        total=task_totals[t]) for t in _topic_order(set(task_totals))]

    mocks = [MockScore(session_id=m.id, preset=m.preset, ended_at=m.ended_at, score=m.score)
             for m in store.mock_sessions(finished=True) if m.ended_at is not None and m.score is not None]
    mocks.sort(key=lambda m: m.ended_at)

    return ProgressStats(
        generated_at=now,
        timezone=str(tz),
        total_attempts=store.count_attempts(),
        items_total=len(item_topics),
        items_reviewed=len(states),
        topics=topics,
        activity=activity,
        streak_days=streak,
        longest_streak_days=longest,
        active_today=per_day.get(today, 0) > 0,
        due_now=scheduling.due_count(store, now),
        due_next_days=scheduling.due_per_day(store, now, DUE_DAYS, tz),
        leeches=scheduling.leeches(store),
        tasks_solved=len(solved),
        tasks_total=len(set(task_topics) | solved),
        tasks_by_topic=tasks_by_topic,
        mock_scores=mocks,
    )
