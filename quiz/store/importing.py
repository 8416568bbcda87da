"""Reading an export file for ``nnprep import``: every check happens before anything is written.

An export is untrusted input (it may come from another machine, another version, or be hand-edited). It is refused
with :class:`ImportFormatError`, one line naming the item and field, when it is: not a regular file, larger than
:data:`MAX_IMPORT_BYTES`, not JSON, nested deeper than :data:`MAX_DEPTH`, carrying NaN or an infinity, of the wrong
types, with a naive datetime or one out of range once in UTC, an integer SQLite cannot store, a negative count or
seed, an oversized string, a grade report that does not validate or disagrees with its row (a "passed" row with a
garbage report must not count as solved), or an FSRS card that does not load. What passes can be written, read
back and exported again.

Memory: the file is capped in bytes and in JSON values (:data:`MAX_JSON_TOKENS`, counted before parsing), read
once, and each section's raw items are released as they are turned into records.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fsrs import Card
from pydantic import BaseModel, ValidationError

from engine.report import report_from_json
from quiz.store.errors import EXPORT_FORMAT, EXPORT_VERSION, ImportFormatError
from quiz.store.records import (
    Attempt,
    Draft,
    MockSession,
    PracticeSession,
    ProgressExport,
    ReviewState,
    StoredReport,
)

MAX_IMPORT_BYTES = 64 * 1024 * 1024
# Each JSON value after the first of its container follows a comma, each object key a colon: this bounds how many
# Python objects parsing can make (counted over the raw bytes, so separators inside strings count too: it errs on
# the safe side). An attempt costs about 20, an embedded grade report a few hundred. It keeps a crafted file of
# tiny objects (30 MB of {"a":1} would be over 800 MB of dicts) from being parsed at all.
MAX_JSON_TOKENS = 4_000_000
MAX_DEPTH = 64  # the document's own structure is 4 deep; mock state, report and session meta are free-form JSON
SQLITE_INT = (-(2**63), 2**63 - 1)
SECTIONS: dict[str, type[BaseModel]] = {
    "attempts": Attempt,
    "review_states": ReviewState,
    "drafts": Draft,
    "reports": StoredReport,
    "mock_sessions": MockSession,
    "practice_sessions": PracticeSession,
}
MAX_CHARS = {"answer": 100_000, "source": 1_000_000, "report_json": 4_000_000, "card_json": 10_000}
MAX_ID_CHARS = 1_000  # every other string field: ids, kinds, presets, verdicts
NON_NEGATIVE = {"seed", "reps", "lapses", "seconds", "score", "max_score"}


def read_export(path: Path) -> ProgressExport:
    """The export at ``path``, checked; ImportFormatError (message without the path) when it cannot be used."""
    try:
        if not path.exists():
            raise ImportFormatError("no such file")
        if not path.is_file():  # a FIFO would block, a device would never end
            raise ImportFormatError("not a regular file")
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ImportFormatError(f"too large for a progress export ({path.stat().st_size / 2**20:.0f} MiB; at "
                                    f"most {MAX_IMPORT_BYTES // 2**20} MiB)")
        with path.open("rb") as f:
            raw = f.read(MAX_IMPORT_BYTES + 1)
    except OSError as e:
        raise ImportFormatError(f"cannot read: {e.strerror}") from None
    if len(raw) > MAX_IMPORT_BYTES:  # it grew while we looked
        raise ImportFormatError(f"too large for a progress export (at most {MAX_IMPORT_BYTES // 2**20} MiB)")
    return parse_export(raw)


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed: numbers must be finite")


def parse_export(raw: bytes) -> ProgressExport:
    """Parse and check an export document (see the module's docstring)."""
    tokens = sum(raw.count(separator) for separator in (b",", b":", b"{", b"["))
    if tokens > MAX_JSON_TOKENS:
        raise ImportFormatError(f"too many values for a progress export ({tokens:,} JSON separators; at most "
                                f"{MAX_JSON_TOKENS:,})")
    try:
        doc = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError:
        raise ImportFormatError(f"not a progress export (nested more than {MAX_DEPTH} levels)") from None
    except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors, as is a refused NaN
        raise ImportFormatError(f"not valid JSON ({str(e).splitlines()[0]})") from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise ImportFormatError(f'not an nnprep progress export (no "format": "{EXPORT_FORMAT}")')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version > EXPORT_VERSION:
        raise ImportFormatError(f"export format version {version!r} is not supported (this nnprep reads up to "
                                f"{EXPORT_VERSION}); upgrade nnprep")
    problem = _structure_problem(doc)
    if problem is not None:
        raise ImportFormatError(problem)
    sections = {name: _section(doc, name, model) for name, model in SECTIONS.items()}
    try:
        export = ProgressExport.model_validate({**doc, **sections})
    except ValidationError as e:
        raise ImportFormatError(_validation_message("", e)) from None
    _check_values("exported_at", export.exported_at)
    return export


def _structure_problem(doc: Any) -> str | None:
    """The first place nested deeper than MAX_DEPTH or holding a non-finite number (``1e999`` parses as an
    infinity), walked without recursion; None when there is none."""
    stack: list[tuple[Any, int, Any]] = [(doc, 0, None)]  # (value, depth, where as (parent's where, key))
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return f"nested more than {MAX_DEPTH} levels at {_dotted(where)}"
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, depth + 1, (where, k)) for k, v in items)
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{_dotted(where)}: not a finite number"
    return None


def _dotted(where: Any) -> str:
    """``(((None, "a"), 0), "b")`` -> ``"a.0.b"`` (paths are built only when there is something to report)."""
    keys: list[str] = []
    while where is not None:
        where, key = where
        keys.append(str(key))
    return ".".join(reversed(keys))


def _section(doc: dict[str, Any], name: str, model: type[BaseModel]) -> list[BaseModel]:
    """Turn one section's raw items into checked records, releasing each raw item as it goes."""
    raw = doc.pop(name, [])
    if not isinstance(raw, list):
        raise ImportFormatError(f"{name}: expected a list")
    records: list[BaseModel] = []
    for i in range(len(raw)):
        item, raw[i] = raw[i], None
        try:
            record = model.model_validate(item)
        except ValidationError as e:
            raise ImportFormatError(_validation_message(f"{name}.{i}", e)) from None
        for field, value in _fields(record):
            _check_values(f"{name}.{i}.{field}", value, field)
        _check_record(f"{name}.{i}", record)
        records.append(record)
    return records


def _validation_message(where: str, e: ValidationError) -> str:
    first = e.errors()[0]
    loc = ".".join(str(p) for p in (where, *first["loc"]) if p != "")
    count = e.error_count()
    return f"invalid export at {loc}: {first['msg']} ({count} problem{'s' if count != 1 else ''})"


def _fields(record: BaseModel) -> Iterator[tuple[str, Any]]:
    for field in type(record).model_fields:
        yield field, getattr(record, field)


def _check_values(where: str, value: Any, field: str = "") -> None:
    """Ranges a model's types do not state: what SQLite and the rest of nnprep need."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ImportFormatError(f"{where}: naive datetime (give a UTC offset, e.g. Z)")
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ImportFormatError(f"{where}: datetime out of range once converted to UTC") from None
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ImportFormatError(f"{where}: not a finite number")
        if isinstance(value, int) and not SQLITE_INT[0] <= value <= SQLITE_INT[1]:
            raise ImportFormatError(f"{where}: integer out of range")
        if field in NON_NEGATIVE and value < 0:
            raise ImportFormatError(f"{where}: must not be negative")
    elif isinstance(value, str) and len(value) > MAX_CHARS.get(field, MAX_ID_CHARS):
        raise ImportFormatError(f"{where}: too long ({len(value)} characters; at most "
                                f"{MAX_CHARS.get(field, MAX_ID_CHARS)})")


def _check_record(where: str, record: BaseModel) -> None:
    """Checks across fields: embedded reports and cards must load and agree with their row."""
    if isinstance(record, StoredReport):
        try:
            report = report_from_json(record.report_json)
        except ValueError as e:
            raise ImportFormatError(f"{where}.report_json: not a valid grade report "
                                    f"({str(e).splitlines()[0]})") from None
        claimed = (record.task_id, record.verdict, record.score, record.max_score)
        actual = (report.task, str(report.verdict.value), report.score, report.max_score)
        if claimed[:2] != actual[:2] or not all(math.isclose(a, b) for a, b in zip(claimed[2:], actual[2:],
                                                                                      strict=True)):
            raise ImportFormatError(f"{where}: task, verdict or score {claimed} disagree with its report_json "
                                    f"{actual}")
    elif isinstance(record, ReviewState):
        try:
            card = Card.from_json(record.card_json)
        except Exception as e:  # fsrs raises whatever json/KeyError/ValueError it meets
            raise ImportFormatError(f"{where}.card_json: not an FSRS card ({type(e).__name__})") from None
        problem = _card_problem(card)
        if problem is not None:
            raise ImportFormatError(f"{where}.card_json: {problem}")


def _card_problem(card: Card) -> str | None:
    """What Card.from_json lets through that would break scheduling later (it converts with float() and
    fromisoformat(), which accept "nan" and naive times, and does not check ``step``)."""
    if card.step is not None and (not isinstance(card.step, int) or isinstance(card.step, bool) or card.step < 0):
        return "step must be a non-negative integer or null"
    for name in ("stability", "difficulty"):
        value = getattr(card, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            return f"{name} must be a non-negative finite number or null"
    for name in ("due", "last_review"):
        value = getattr(card, name)
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            return f"{name} is a naive datetime"
    return None
