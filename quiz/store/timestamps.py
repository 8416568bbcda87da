"""How the store writes and reads times: timezone-aware UTC in the API, ISO-8601 UTC text in the database."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _ts(dt: datetime) -> str:
    """A datetime as the stored text form (UTC, microseconds)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: pass a timezone-aware (UTC) datetime")
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _opt_ts(dt: datetime | None) -> str | None:
    return None if dt is None else _ts(dt)


def _dt(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _opt_dt(text: str | None) -> datetime | None:
    return None if text is None else _dt(text)
