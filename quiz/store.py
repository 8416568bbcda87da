"""The progress store: one SQLite database, and the only module in nnprep that contains SQL.

Where the database lives (first match wins): the explicit ``path`` argument (the CLI's ``--db``), the environment
variable ``NNPREP_DB``, then ``platformdirs.user_data_dir("nnprep")/progress.db``. Parent folders are created.

Guarantees:

- WAL journal, ``busy_timeout`` of 5 s, every write in a ``BEGIN IMMEDIATE`` transaction: several processes (the
  TUI, a mock interview, a CLI import) can write at once without "database is locked" errors.
- Durability: every method that writes has committed before it returns, with ``synchronous=FULL``; an attempt
  acknowledged on screen survives the process being killed (SIGKILL) and, with FULL, a power cut too.
  (Under WAL, NORMAL would already survive SIGKILL; FULL costs one fsync per write, negligible at human pace.)
- Schema version in ``PRAGMA user_version``; forward migrations (``MIGRATIONS``), each applied in its own
  transaction. A database written by a NEWER nnprep is refused and left untouched.
- A file that is not ours (not SQLite, or SQLite with other tables / another ``application_id``) is refused with
  an error naming the path, and is never modified. A zero-byte file, or a SQLite file with no tables at all,
  holds no data and is initialised (that is what ``touch progress.db`` asks for).
- Errors are :class:`StoreError` subclasses with one-line messages.
- A :class:`Store` is safe to share between threads (Textual workers): one connection guarded by a lock.

Timestamps are timezone-aware UTC datetimes in the API and ISO-8601 UTC text (microseconds) in the database, so
text order is time order. Naive datetimes are rejected.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid as uuidlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fsrs import Card
from pydantic import BaseModel, ConfigDict, Field

from engine.report import GradeReport, report_data, report_from_json
from quiz.renamed_items import move_renamed_progress

# ---------------------------------------------------------------------------------------------------------------
# Constants and errors

APPLICATION_ID = 0x6E6E7072  # "nnpr": marks a SQLite file as an nnprep progress database
ENV_VAR = "NNPREP_DB"
DB_FILENAME = "progress.db"
BUSY_TIMEOUT_MS = 5000
SQLITE_MAGIC = b"SQLite format 3\x00"
LEECH_THRESHOLD = 8  # an item failed (rated Again) this many times is flagged as a leech
EXPORT_FORMAT = "nnprep-progress"
EXPORT_VERSION = 1

AttemptKind = Literal["item", "task", "mock"]
OVERRIDES_HINT = f"choose another location with --db PATH or the {ENV_VAR} environment variable"


class StoreError(Exception):
    """Any problem with the progress database; the message is one line and names the path."""


class StoreNotWritableError(StoreError):
    """The database (or its folder) cannot be created or written."""


class StoreCorruptError(StoreError):
    """The file at the path is not an nnprep progress database (corrupt, or another program's file)."""


class StoreNewerVersionError(StoreError):
    """The database was written by a newer nnprep; it is left untouched."""


class StoreBusyError(StoreError):
    """Another process held the database locked for longer than the busy timeout."""


class ImportFormatError(StoreError):
    """An export file that cannot be read or is not an nnprep export."""


# ---------------------------------------------------------------------------------------------------------------
# Time helpers


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


def new_uuid() -> str:
    """A fresh random id (natural key for attempts, reports and sessions across exports)."""
    return str(uuidlib.uuid4())


# ---------------------------------------------------------------------------------------------------------------
# Records (what the API returns)


class Record(BaseModel):
    """Base of the records the store returns: immutable pydantic models."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Attempt(Record):
    """One answer to a bank item, one submission of a coding task, or one answer in a mock interview."""

    uuid: str
    target_id: str = Field(description="Bank item id or coding-task id.")
    kind: AttemptKind
    answer: str = ""
    correct: bool | None = None
    rating: int | None = Field(None, ge=1, le=4, description="FSRS rating 1 Again, 2 Hard, 3 Good, 4 Easy.")
    seconds: float | None = None
    created_at: datetime
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result part of an attempt (no answer text), for statistics over many attempts."""

    target_id: str
    kind: str
    correct: bool | None
    rating: int | None
    created_at: datetime


class ReviewState(Record):
    """The FSRS scheduling state of one bank item."""

    item_id: str
    card_json: str = Field(description="fsrs.Card.to_json()")
    due: datetime
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = Field(0, description="How many times the item was rated Again.")
    leech_at: datetime | None = Field(None, description=f"When it reached {LEECH_THRESHOLD} lapses.")
    updated_at: datetime

    @property
    def card(self) -> Card:
        """The FSRS card."""
        return Card.from_json(self.card_json)

    @classmethod
    def from_card(
        cls,
        item_id: str,
        card: Card,
        *,
        reps: int = 0,
        lapses: int = 0,
        leech_at: datetime | None = None,
        updated_at: datetime | None = None,
    ) -> ReviewState:
        """Build a state from an FSRS card; ``due`` and ``last_review`` are taken from the card."""
        return cls(
            item_id=item_id,
            card_json=card.to_json(),
            due=card.due,
            last_review=card.last_review,
            reps=reps,
            lapses=lapses,
            leech_at=leech_at,
            updated_at=updated_at or utcnow(),
        )


class Draft(Record):
    """The candidate's code for a coding task, autosaved."""

    task_id: str
    source: str
    updated_at: datetime


class StoredReport(Record):
    """A grade report kept for a coding task."""

    uuid: str
    task_id: str
    source: str
    report_json: str
    score: float
    max_score: float
    verdict: str
    created_at: datetime

    @property
    def report(self) -> GradeReport:
        """The report as the engine's model."""
        return report_from_json(self.report_json)

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"


class MockSession(Record):
    """A mock interview: its plan/progress (``state``, for resume) and, once ended, its report and score."""

    id: str
    preset: str
    seed: int
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None = None
    state: dict[str, Any] = Field(default_factory=dict)
    report: dict[str, Any] | None = None
    score: float | None = Field(None, description="Overall score, by convention a fraction 0..1.")

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


class PracticeSession(Record):
    """A quiz session (review, topic drill, leech drill...); attempts refer to it by ``session_id``."""

    id: str
    mode: str
    started_at: datetime
    ended_at: datetime | None = None
    meta: dict[str, Any] = Field(default_factory=dict)


class ProgressExport(BaseModel):
    """Everything in the store, as written by ``nnprep export`` and read by ``nnprep import``."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["nnprep-progress"] = "nnprep-progress"
    version: int = EXPORT_VERSION
    exported_at: datetime
    attempts: list[Attempt] = Field(default_factory=list)
    review_states: list[ReviewState] = Field(default_factory=list)
    drafts: list[Draft] = Field(default_factory=list)
    reports: list[StoredReport] = Field(default_factory=list)
    mock_sessions: list[MockSession] = Field(default_factory=list)
    practice_sessions: list[PracticeSession] = Field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    """What an import added or replaced (all zero when importing the same file twice)."""

    attempts: int = 0
    review_states: int = 0
    drafts: int = 0
    reports: int = 0
    mock_sessions: int = 0
    practice_sessions: int = 0

    @property
    def total(self) -> int:
        return (self.attempts + self.review_states + self.drafts + self.reports + self.mock_sessions
                + self.practice_sessions)


# ---------------------------------------------------------------------------------------------------------------
# Schema and migrations. MIGRATIONS[i] brings a database from version i to version i + 1. Never edit a released
# step: add a new one. Tests build databases with each earlier version's DDL and migrate them.

_V1 = """
CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    target_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('item', 'task', 'mock')),
    answer      TEXT NOT NULL DEFAULT '',
    correct     INTEGER CHECK (correct IN (0, 1)),
    rating      INTEGER CHECK (rating BETWEEN 1 AND 4),
    seconds     REAL,
    created_at  TEXT NOT NULL,
    session_id  TEXT
);
CREATE INDEX attempts_created ON attempts (created_at);
CREATE INDEX attempts_target ON attempts (kind, target_id, created_at);

CREATE TABLE review_states (
    item_id     TEXT PRIMARY KEY,
    card_json   TEXT NOT NULL,
    due         TEXT NOT NULL,
    last_review TEXT,
    reps        INTEGER NOT NULL DEFAULT 0,
    lapses      INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);
CREATE INDEX review_states_due ON review_states (due);

CREATE TABLE drafts (
    task_id     TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE grade_reports (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    task_id     TEXT NOT NULL,
    source      TEXT NOT NULL,
    report_json TEXT NOT NULL,
    score       REAL NOT NULL,
    max_score   REAL NOT NULL,
    verdict     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX grade_reports_task ON grade_reports (task_id, created_at);
"""

_V2 = f"""
ALTER TABLE review_states ADD COLUMN leech_at TEXT;
UPDATE review_states SET leech_at = COALESCE(last_review, updated_at) WHERE lapses >= {LEECH_THRESHOLD};
CREATE INDEX review_states_leech ON review_states (leech_at) WHERE leech_at IS NOT NULL;

CREATE TABLE mock_sessions (
    id          TEXT PRIMARY KEY,
    preset      TEXT NOT NULL,
    seed        INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    ended_at    TEXT,
    state_json  TEXT NOT NULL DEFAULT '{{}}',
    report_json TEXT,
    score       REAL
);
CREATE INDEX mock_sessions_started ON mock_sessions (started_at);

CREATE TABLE practice_sessions (
    id          TEXT PRIMARY KEY,
    mode        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    meta_json   TEXT NOT NULL DEFAULT '{{}}'
);
"""


def _split(script: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in script.split(";") if s.strip())


MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (f"PRAGMA application_id = {APPLICATION_ID}", *_split(_V1)),
    _split(_V2),
)
SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------------------------------------------------------
# Path resolution


def default_db_path() -> Path:
    """``platformdirs.user_data_dir("nnprep")/progress.db``."""
    import platformdirs

    return Path(platformdirs.user_data_dir("nnprep", appauthor=False)) / DB_FILENAME


def resolve_db_path(explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The database path: ``explicit`` (from --db) > ``$NNPREP_DB`` > the user data dir."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    environ = os.environ if env is None else env
    from_env = environ.get(ENV_VAR, "")
    if from_env:
        return Path(from_env).expanduser()
    return default_db_path()


def _is_readonly_error(e: BaseException) -> bool:
    text = str(e).lower()
    return any(s in text for s in ("readonly", "read-only", "unable to open", "permission", "disk i/o"))


# ---------------------------------------------------------------------------------------------------------------
# Row conversion

_ATTEMPT_COLS = "uuid, target_id, kind, answer, correct, rating, seconds, created_at, session_id"
_STATE_COLS = "item_id, card_json, due, last_review, reps, lapses, leech_at, updated_at"
_REPORT_COLS = "uuid, task_id, source, report_json, score, max_score, verdict, created_at"
_MOCK_COLS = "id, preset, seed, started_at, updated_at, ended_at, state_json, report_json, score"
_PRACTICE_COLS = "id, mode, started_at, ended_at, meta_json"


def _attempt(r: sqlite3.Row) -> Attempt:
    return Attempt(
        uuid=r["uuid"], target_id=r["target_id"], kind=r["kind"], answer=r["answer"],
        correct=None if r["correct"] is None else bool(r["correct"]), rating=r["rating"], seconds=r["seconds"],
        created_at=_dt(r["created_at"]), session_id=r["session_id"],
    )


def _state(r: sqlite3.Row) -> ReviewState:
    return ReviewState(
        item_id=r["item_id"], card_json=r["card_json"], due=_dt(r["due"]), last_review=_opt_dt(r["last_review"]),
        reps=r["reps"], lapses=r["lapses"], leech_at=_opt_dt(r["leech_at"]), updated_at=_dt(r["updated_at"]),
    )


def _report(r: sqlite3.Row) -> StoredReport:
    return StoredReport(
        uuid=r["uuid"], task_id=r["task_id"], source=r["source"], report_json=r["report_json"],
        score=r["score"], max_score=r["max_score"], verdict=r["verdict"], created_at=_dt(r["created_at"]),
    )


def _mock(r: sqlite3.Row) -> MockSession:
    return MockSession(
        id=r["id"], preset=r["preset"], seed=r["seed"], started_at=_dt(r["started_at"]),
        updated_at=_dt(r["updated_at"]), ended_at=_opt_dt(r["ended_at"]), state=json.loads(r["state_json"]),
        report=None if r["report_json"] is None else json.loads(r["report_json"]), score=r["score"],
    )


def _practice(r: sqlite3.Row) -> PracticeSession:
    return PracticeSession(
        id=r["id"], mode=r["mode"], started_at=_dt(r["started_at"]), ended_at=_opt_dt(r["ended_at"]),
        meta=json.loads(r["meta_json"]),
    )


def _json(value: Mapping[str, Any] | BaseModel) -> str:
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value, sort_keys=True)


# ---------------------------------------------------------------------------------------------------------------
# The store


class Store:
    """The progress database. Open with ``Store(path)`` (path may be None: see :func:`resolve_db_path`).

    Use as a context manager or call :meth:`close`. All methods are thread-safe; every write commits before
    returning.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        durable: bool = True,
    ) -> None:
        self.path = resolve_db_path(path, env)
        self._lock = threading.RLock()
        self._conn = self._open(durable)

    # -- opening ---------------------------------------------------------------------------------------------

    def _not_writable(self, why: str) -> StoreNotWritableError:
        return StoreNotWritableError(f"cannot write the progress database {self.path} ({why}); {OVERRIDES_HINT}")

    def _check_file_before_opening(self) -> None:
        """Refuse, without touching it, anything at the path that is not SQLite (or empty)."""
        p = self.path
        if p.is_dir():
            raise StoreCorruptError(f"the progress database path {p} is a directory; {OVERRIDES_HINT}")
        if not p.exists():
            return
        try:
            with p.open("rb") as f:
                head = f.read(len(SQLITE_MAGIC))
        except OSError as e:
            raise StoreNotWritableError(f"cannot read the progress database {p} ({e.strerror}); "
                                        f"{OVERRIDES_HINT}") from None
        if head and head != SQLITE_MAGIC:
            raise StoreCorruptError(f"{p} is not an nnprep progress database (not a SQLite file); it was left "
                                    f"untouched; {OVERRIDES_HINT}")
        # SQLite would silently open these read-only and fail at the first write: say so now.
        if not os.access(p, os.W_OK):
            raise self._not_writable("the file is read-only")
        if not os.access(p.parent, os.W_OK | os.X_OK):
            raise self._not_writable(f"folder {p.parent} is read-only; the journal files go next to the database")

    def _open(self, durable: bool) -> sqlite3.Connection:
        self._check_file_before_opening()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise self._not_writable(f"cannot create folder {self.path.parent}: {e.strerror}") from None
        # Two processes creating or upgrading the same file at once can see SQLITE_BUSY where SQLite does not
        # call the busy handler (e.g. while the other switches the journal to WAL): retry the whole set-up.
        deadline = time.monotonic() + 2 * BUSY_TIMEOUT_MS / 1000
        delay = 0.005
        while True:
            try:
                return self._connect(durable)
            except sqlite3.OperationalError as e:
                if "locked" not in str(e).lower() and "busy" not in str(e).lower():
                    raise self._open_error(e) from None
                if time.monotonic() > deadline:
                    raise StoreBusyError(f"the progress database {self.path} is locked by another process; "
                                         "try again") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
            except sqlite3.DatabaseError as e:
                raise self._open_error(e) from None

    def _open_error(self, e: sqlite3.DatabaseError) -> StoreError:
        if isinstance(e, sqlite3.OperationalError) and _is_readonly_error(e):
            return self._not_writable(str(e))
        return StoreCorruptError(f"{self.path} is not a usable nnprep progress database ({e}); it was left "
                                 f"untouched; {OVERRIDES_HINT}")

    def _connect(self, durable: bool) -> sqlite3.Connection:
        """Connect, check identity (read-only), then WAL, pragmas and migrations. Closes on any error."""
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._check_identity(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            self._enable_wal(conn)
            conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            self._migrate(conn)
            move_renamed_progress(conn)  # merged or moved bank items keep their progress
        except BaseException:
            conn.close()
            raise
        return conn

    def _check_identity(self, conn: sqlite3.Connection) -> None:
        """Read-only checks: ours (application_id), empty (to initialise), not newer than we know."""
        conn.execute("BEGIN")  # one read transaction: the three reads see the same commit
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            n_objects = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.execute("COMMIT")
        if app_id != APPLICATION_ID:
            if app_id == 0 and version == 0 and n_objects == 0:
                return  # empty: initialise
            raise StoreCorruptError(f"{self.path} is another program's SQLite database, not nnprep progress; it "
                                    f"was left untouched; {OVERRIDES_HINT}")
        if version > SCHEMA_VERSION:
            raise StoreNewerVersionError(
                f"{self.path} was written by a newer nnprep (schema version {version}, this version knows up to "
                f"{SCHEMA_VERSION}); upgrade nnprep; the database was left untouched")

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # e.g. another process mid-transaction in rollback mode
                raise StoreBusyError(f"could not switch {self.path} to WAL mode (journal mode {mode})")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply each pending migration in its own transaction (re-checked under the write lock)."""
        while True:
            conn.execute("BEGIN IMMEDIATE")
            version = -1
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version >= SCHEMA_VERSION:
                    conn.execute("ROLLBACK")
                    if version > SCHEMA_VERSION:  # another process upgraded it in between
                        self._check_identity(conn)
                    return
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
                conn.execute("COMMIT")
            except sqlite3.Error as e:
                conn.execute("ROLLBACK")
                if version < 0 or _is_readonly_error(e) or "locked" in str(e).lower():
                    raise
                raise StoreError(f"could not upgrade {self.path} from schema version {version} to {version + 1} "
                                 f"({e}); it was left at version {version}") from None
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # -- plumbing --------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The database's schema version (``PRAGMA user_version``)."""
        return int(self._read("PRAGMA user_version")[0][0])

    def _translate(self, e: sqlite3.Error) -> StoreError:
        if isinstance(e, sqlite3.OperationalError) and "locked" in str(e).lower():
            return StoreBusyError(f"the progress database {self.path} stayed locked by another process for "
                                  f"{BUSY_TIMEOUT_MS // 1000} s; try again")
        if isinstance(e, sqlite3.OperationalError) and _is_readonly_error(e):
            return self._not_writable(str(e))
        return StoreError(f"progress database {self.path}: {e}")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: BEGIN IMMEDIATE ... COMMIT (committed, hence durable, when the block ends)."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self._translate(e) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as e:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise self._translate(e) from None
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return list(self._conn.execute(sql, params).fetchall())
            except sqlite3.Error as e:
                raise self._translate(e) from None

    # -- attempts --------------------------------------------------------------------------------------------

    def record_attempt(
        self,
        target_id: str,
        kind: AttemptKind,
        *,
        answer: str = "",
        correct: bool | None = None,
        rating: int | None = None,
        seconds: float | None = None,
        at: datetime | None = None,
        session_id: str | None = None,
        uuid: str | None = None,
        review_state: ReviewState | None = None,
        review_update: Callable[[ReviewState | None], ReviewState] | None = None,
    ) -> Attempt:
        """Record one attempt and, if given, the item's new review state, in the same transaction.

        ``review_update`` maps the item's current state (read inside the transaction) to the new one, so that a
        concurrent review cannot be lost. Committed before it returns: the attempt then survives a crash.
        """
        attempt = Attempt(
            uuid=uuid or new_uuid(), target_id=target_id, kind=kind, answer=answer, correct=correct, rating=rating,
            seconds=seconds, created_at=at or utcnow(), session_id=session_id,
        )
        with self._write() as conn:
            self._insert_attempt(conn, attempt)
            if review_state is not None:
                self._upsert_state(conn, review_state)
            if review_update is not None:
                self._upsert_state(conn, review_update(self._select_state(conn, target_id)))
        return attempt

    @staticmethod
    def _insert_attempt(conn: sqlite3.Connection, a: Attempt, *, ignore: bool = False) -> int:
        cur = conn.execute(
            f"INSERT {'OR IGNORE ' if ignore else ''}INTO attempts ({_ATTEMPT_COLS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.uuid, a.target_id, a.kind, a.answer, None if a.correct is None else int(a.correct), a.rating,
             a.seconds, _ts(a.created_at), a.session_id),
        )
        return cur.rowcount

    def attempts(
        self,
        *,
        kind: AttemptKind | None = None,
        target_id: str | None = None,
        session_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[Attempt]:
        """Attempts matching all given filters, oldest first (or newest first); ``since`` inclusive, ``until``
        exclusive."""
        where, params = self._attempt_filter(kind, target_id, session_id, since, until)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {_ATTEMPT_COLS} FROM attempts{where} ORDER BY created_at {order}, id {order}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_attempt(r) for r in self._read(sql, tuple(params))]

    def count_attempts(
        self,
        *,
        kind: AttemptKind | None = None,
        target_id: str | None = None,
        session_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many attempts match the filters."""
        where, params = self._attempt_filter(kind, target_id, session_id, since, until)
        return int(self._read(f"SELECT count(*) FROM attempts{where}", tuple(params))[0][0])

    @staticmethod
    def _attempt_filter(
        kind: str | None, target_id: str | None, session_id: str | None, since: datetime | None,
        until: datetime | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column, value in (("kind", kind), ("target_id", target_id), ("session_id", session_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            clauses.append("created_at >= ?")
            params.append(_ts(since))
        if until is not None:
            clauses.append("created_at < ?")
            params.append(_ts(until))
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def attempt_outcomes(self, kinds: tuple[AttemptKind, ...] = ("item", "mock")) -> list[Outcome]:
        """Light rows (no answer text) of the attempts of these kinds, oldest first: what the stats need."""
        marks = ", ".join("?" for _ in kinds)
        rows = self._read(f"SELECT target_id, kind, correct, rating, created_at FROM attempts WHERE kind IN ({marks}) "
                          "ORDER BY created_at, id", tuple(kinds))
        return [Outcome(target_id=r[0], kind=r[1], correct=None if r[2] is None else bool(r[2]), rating=r[3],
                        created_at=_dt(r[4])) for r in rows]

    def attempt_times(self, *, since: datetime | None = None) -> list[datetime]:
        """The timestamps of all attempts (any kind) since ``since``, oldest first (for activity calendars)."""
        where, params = self._attempt_filter(None, None, None, since, None)
        rows = self._read(f"SELECT created_at FROM attempts{where} ORDER BY created_at", tuple(params))
        return [_dt(r[0]) for r in rows]

    # -- review states ---------------------------------------------------------------------------------------

    @staticmethod
    def _upsert_state(conn: sqlite3.Connection, s: ReviewState) -> None:
        conn.execute(
            f"INSERT INTO review_states ({_STATE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (item_id) DO UPDATE SET card_json = excluded.card_json, due = excluded.due, "
            "last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses, "
            "leech_at = excluded.leech_at, updated_at = excluded.updated_at",
            (s.item_id, s.card_json, _ts(s.due), _opt_ts(s.last_review), s.reps, s.lapses, _opt_ts(s.leech_at),
             _ts(s.updated_at)),
        )

    def put_review_state(self, state: ReviewState) -> None:
        """Insert or replace an item's review state."""
        with self._write() as conn:
            self._upsert_state(conn, state)

    @staticmethod
    def _select_state(conn: sqlite3.Connection, item_id: str) -> ReviewState | None:
        row = conn.execute(f"SELECT {_STATE_COLS} FROM review_states WHERE item_id = ?", (item_id,)).fetchone()
        return None if row is None else _state(row)

    def update_review_state(
        self, item_id: str, update: Callable[[ReviewState | None], ReviewState]
    ) -> ReviewState:
        """Read-modify-write an item's state atomically (no lost update between processes).

        ``update`` runs inside the write transaction: keep it quick and do not call the store from it.
        """
        with self._write() as conn:
            new = update(self._select_state(conn, item_id))
            self._upsert_state(conn, new)
        return new

    def get_review_state(self, item_id: str) -> ReviewState | None:
        """The item's review state, or None if it was never reviewed."""
        rows = self._read(f"SELECT {_STATE_COLS} FROM review_states WHERE item_id = ?", (item_id,))
        return _state(rows[0]) if rows else None

    def review_states(self) -> list[ReviewState]:
        """All review states, by item id."""
        return [_state(r) for r in self._read(f"SELECT {_STATE_COLS} FROM review_states ORDER BY item_id")]

    def due_review_states(self, now: datetime, limit: int | None = None) -> list[ReviewState]:
        """States due at or before ``now``, most overdue first."""
        sql = f"SELECT {_STATE_COLS} FROM review_states WHERE due <= ? ORDER BY due, item_id"
        params: tuple[Any, ...] = (_ts(now),)
        if limit is not None:
            sql += " LIMIT ?"
            params = (*params, limit)
        return [_state(r) for r in self._read(sql, params)]

    def count_due(self, before: datetime) -> int:
        """How many items are due at or before ``before``."""
        return int(self._read("SELECT count(*) FROM review_states WHERE due <= ?", (_ts(before),))[0][0])

    def due_times(self, until: datetime) -> list[datetime]:
        """Due timestamps of all items due at or before ``until``, soonest first."""
        rows = self._read("SELECT due FROM review_states WHERE due <= ? ORDER BY due", (_ts(until),))
        return [_dt(r[0]) for r in rows]

    def reviewed_item_ids(self) -> set[str]:
        """Ids of items that have a review state (everything else in the bank is new)."""
        return {r[0] for r in self._read("SELECT item_id FROM review_states")}

    def leech_states(self) -> list[ReviewState]:
        """Items flagged as leeches, most lapses first."""
        rows = self._read(f"SELECT {_STATE_COLS} FROM review_states WHERE leech_at IS NOT NULL "
                          "ORDER BY lapses DESC, item_id")
        return [_state(r) for r in rows]

    # -- drafts ----------------------------------------------------------------------------------------------

    def save_draft(self, task_id: str, source: str, at: datetime | None = None) -> Draft:
        """Autosave the code for a task (upsert)."""
        draft = Draft(task_id=task_id, source=source, updated_at=at or utcnow())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO drafts (task_id, source, updated_at) VALUES (?, ?, ?) ON CONFLICT (task_id) "
                "DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at",
                (task_id, source, _ts(draft.updated_at)),
            )
        return draft

    def get_draft(self, task_id: str) -> Draft | None:
        """The saved code for a task, if any."""
        rows = self._read("SELECT task_id, source, updated_at FROM drafts WHERE task_id = ?", (task_id,))
        return Draft(task_id=rows[0][0], source=rows[0][1], updated_at=_dt(rows[0][2])) if rows else None

    def drafts(self) -> list[Draft]:
        """All saved drafts, by task id."""
        rows = self._read("SELECT task_id, source, updated_at FROM drafts ORDER BY task_id")
        return [Draft(task_id=r[0], source=r[1], updated_at=_dt(r[2])) for r in rows]

    def delete_draft(self, task_id: str) -> bool:
        """Forget a task's draft (e.g. "reset to starter"); True if there was one."""
        with self._write() as conn:
            return conn.execute("DELETE FROM drafts WHERE task_id = ?", (task_id,)).rowcount > 0

    # -- grade reports ---------------------------------------------------------------------------------------

    def save_report(
        self, report: GradeReport, source: str, *, at: datetime | None = None, uuid: str | None = None
    ) -> StoredReport:
        """Keep a grade report and the code it graded (the task id comes from the report)."""
        stored = StoredReport(
            uuid=uuid or new_uuid(), task_id=report.task, source=source, report_json=json.dumps(report_data(report)),
            score=report.score, max_score=report.max_score, verdict=str(report.verdict.value),
            created_at=at or utcnow(),
        )
        with self._write() as conn:
            self._insert_report(conn, stored)
        return stored

    @staticmethod
    def _insert_report(conn: sqlite3.Connection, s: StoredReport, *, ignore: bool = False) -> int:
        return conn.execute(
            f"INSERT {'OR IGNORE ' if ignore else ''}INTO grade_reports ({_REPORT_COLS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (s.uuid, s.task_id, s.source, s.report_json, s.score, s.max_score, s.verdict, _ts(s.created_at)),
        ).rowcount

    def reports(self, task_id: str | None = None, *, limit: int | None = None) -> list[StoredReport]:
        """Stored reports (for one task or all), newest first."""
        sql = f"SELECT {_REPORT_COLS} FROM grade_reports"
        params: list[Any] = []
        if task_id is not None:
            sql += " WHERE task_id = ?"
            params.append(task_id)
        sql += " ORDER BY created_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_report(r) for r in self._read(sql, tuple(params))]

    def latest_report(self, task_id: str) -> StoredReport | None:
        """The newest report for a task."""
        found = self.reports(task_id, limit=1)
        return found[0] if found else None

    def solved_task_ids(self) -> set[str]:
        """Tasks with at least one report whose verdict is ``passed``."""
        return {r[0] for r in self._read("SELECT DISTINCT task_id FROM grade_reports WHERE verdict = 'passed'")}

    # -- mock sessions ---------------------------------------------------------------------------------------

    def create_mock_session(
        self,
        preset: str,
        seed: int,
        *,
        state: Mapping[str, Any] | BaseModel | None = None,
        at: datetime | None = None,
        session_id: str | None = None,
    ) -> MockSession:
        """Start a mock interview; ``state`` is whatever the mock engine needs to resume (JSON-able)."""
        now = at or utcnow()
        sid = session_id or new_uuid()
        state_json = _json(state) if state is not None else "{}"
        with self._write() as conn:
            conn.execute(
                f"INSERT INTO mock_sessions ({_MOCK_COLS}) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, NULL)",
                (sid, preset, seed, _ts(now), _ts(now), state_json),
            )
        found = self.get_mock_session(sid)
        assert found is not None
        return found

    def save_mock_state(
        self, session_id: str, state: Mapping[str, Any] | BaseModel, *, at: datetime | None = None
    ) -> None:
        """Replace a mock session's resume state."""
        with self._write() as conn:
            n = conn.execute("UPDATE mock_sessions SET state_json = ?, updated_at = ? WHERE id = ?",
                             (_json(state), _ts(at or utcnow()), session_id)).rowcount
        if n == 0:
            raise StoreError(f"no mock session {session_id!r} in {self.path}")

    def finish_mock_session(
        self,
        session_id: str,
        *,
        report: Mapping[str, Any] | BaseModel,
        score: float,
        at: datetime | None = None,
    ) -> None:
        """Mark a mock session ended, with its report and overall score."""
        now = _ts(at or utcnow())
        with self._write() as conn:
            n = conn.execute(
                "UPDATE mock_sessions SET report_json = ?, score = ?, ended_at = ?, updated_at = ? WHERE id = ?",
                (_json(report), score, now, now, session_id),
            ).rowcount
        if n == 0:
            raise StoreError(f"no mock session {session_id!r} in {self.path}")

    def get_mock_session(self, session_id: str) -> MockSession | None:
        """One mock session by id."""
        rows = self._read(f"SELECT {_MOCK_COLS} FROM mock_sessions WHERE id = ?", (session_id,))
        return _mock(rows[0]) if rows else None

    def mock_sessions(self, *, finished: bool | None = None) -> list[MockSession]:
        """Mock sessions, oldest first; ``finished`` True/False filters ended/unfinished (to resume)."""
        sql = f"SELECT {_MOCK_COLS} FROM mock_sessions"
        if finished is True:
            sql += " WHERE ended_at IS NOT NULL"
        elif finished is False:
            sql += " WHERE ended_at IS NULL"
        return [_mock(r) for r in self._read(sql + " ORDER BY started_at, id")]

    # -- practice sessions -----------------------------------------------------------------------------------

    def start_practice_session(
        self, mode: str, *, meta: Mapping[str, Any] | None = None, at: datetime | None = None,
        session_id: str | None = None,
    ) -> PracticeSession:
        """Start a quiz session; pass its id as ``session_id`` to :meth:`record_attempt`."""
        session = PracticeSession(id=session_id or new_uuid(), mode=mode, started_at=at or utcnow(),
                                  meta=dict(meta or {}))
        with self._write() as conn:
            conn.execute(f"INSERT INTO practice_sessions ({_PRACTICE_COLS}) VALUES (?, ?, ?, NULL, ?)",
                         (session.id, mode, _ts(session.started_at), _json(session.meta)))
        return session

    def end_practice_session(self, session_id: str, *, at: datetime | None = None) -> None:
        """Mark a quiz session ended."""
        with self._write() as conn:
            conn.execute("UPDATE practice_sessions SET ended_at = ? WHERE id = ?",
                         (_ts(at or utcnow()), session_id))

    def practice_sessions(self) -> list[PracticeSession]:
        """All quiz sessions, oldest first."""
        return [_practice(r) for r in
                self._read(f"SELECT {_PRACTICE_COLS} FROM practice_sessions ORDER BY started_at, id")]

    # -- export / import -------------------------------------------------------------------------------------

    def export_data(self, at: datetime | None = None) -> ProgressExport:
        """Everything, in one consistent snapshot (a single read transaction)."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                data = ProgressExport(
                    exported_at=at or utcnow(),
                    attempts=self.attempts(),
                    review_states=self.review_states(),
                    drafts=self.drafts(),
                    reports=list(reversed(self.reports())),
                    mock_sessions=self.mock_sessions(),
                    practice_sessions=self.practice_sessions(),
                )
            finally:
                self._conn.execute("COMMIT")
        return data

    def import_data(self, data: ProgressExport) -> ImportSummary:
        """Merge an export into this database, idempotently, in one transaction.

        Attempts and reports: added unless their uuid is present. Review states: the one reviewed most recently
        wins (ties keep ours). Drafts, mock and practice sessions: the most recently updated wins (ties keep ours).
        """
        counts = dict.fromkeys(("attempts", "review_states", "drafts", "reports", "mock_sessions",
                                "practice_sessions"), 0)
        with self._write() as conn:
            for a in data.attempts:
                counts["attempts"] += self._insert_attempt(conn, a, ignore=True)
            for r in data.reports:
                counts["reports"] += self._insert_report(conn, r, ignore=True)
            for s in data.review_states:
                row = conn.execute("SELECT last_review FROM review_states WHERE item_id = ?",
                                   (s.item_id,)).fetchone()
                theirs = _opt_ts(s.last_review) or ""
                if row is None or theirs > (row[0] or ""):
                    self._upsert_state(conn, s)
                    counts["review_states"] += 1
            for d in data.drafts:
                counts["drafts"] += conn.execute(
                    "INSERT INTO drafts (task_id, source, updated_at) VALUES (?, ?, ?) ON CONFLICT (task_id) "
                    "DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at "
                    "WHERE excluded.updated_at > drafts.updated_at",
                    (d.task_id, d.source, _ts(d.updated_at)),
                ).rowcount
            for m in data.mock_sessions:
                counts["mock_sessions"] += conn.execute(
                    f"INSERT INTO mock_sessions ({_MOCK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET preset = excluded.preset, seed = excluded.seed, "
                    "started_at = excluded.started_at, updated_at = excluded.updated_at, "
                    "ended_at = excluded.ended_at, state_json = excluded.state_json, "
                    "report_json = excluded.report_json, score = excluded.score "
                    "WHERE excluded.updated_at > mock_sessions.updated_at",
                    (m.id, m.preset, m.seed, _ts(m.started_at), _ts(m.updated_at), _opt_ts(m.ended_at),
                     _json(m.state), None if m.report is None else _json(m.report), m.score),
                ).rowcount
            for p in data.practice_sessions:
                counts["practice_sessions"] += conn.execute(
                    f"INSERT INTO practice_sessions ({_PRACTICE_COLS}) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET ended_at = excluded.ended_at "
                    "WHERE practice_sessions.ended_at IS NULL AND excluded.ended_at IS NOT NULL",
                    (p.id, p.mode, _ts(p.started_at), _opt_ts(p.ended_at), _json(p.meta)),
                ).rowcount
        return ImportSummary(**counts)
