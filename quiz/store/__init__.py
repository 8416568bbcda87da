"""The progress store: one SQLite database, and the only package in nnprep that contains SQL.

Where the database lives (first match wins): the explicit ``path`` argument (the CLI's ``--db``), the environment
variable ``NNPREP_DB``, then ``platformdirs.user_data_dir("nnprep")/progress.db``. The default location's folders
are created; a chosen path's folder must exist (a typo must not look like lost progress), and the path must be a
regular file or absent.

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

Modules: ``errors`` (constants, errors), ``timestamps``, ``records`` (the models), ``schema`` (migrations),
``paths``, ``rows``, ``connection`` (opening and plumbing), then one mixin per group of tables (``attempts``,
``reviews``, ``coding``, ``sessions``, ``transfer``), ``renamed`` (progress of renamed bank items) and
``importing`` (checks an export file before ``nnprep import`` writes anything). Only this package contains SQL.
"""

from __future__ import annotations

from quiz.store.errors import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    DB_FILENAME,
    ENV_VAR,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    LEECH_THRESHOLD,
    OVERRIDES_HINT,
    SQLITE_MAGIC,
    AttemptKind,
    ImportFormatError,
    StoreBusyError,
    StoreCorruptError,
    StoreError,
    StoreNewerVersionError,
    StoreNotWritableError,
)
from quiz.store.paths import default_db_path, resolve_db_path
from quiz.store.records import (
    Attempt,
    Draft,
    ImportSummary,
    MockSession,
    Outcome,
    PracticeSession,
    ProgressExport,
    Record,
    ReviewState,
    StoredReport,
    new_uuid,
)
from quiz.store.schema import MIGRATIONS, SCHEMA_VERSION
from quiz.store.timestamps import utcnow
from quiz.store.transfer import TransferMixin

__all__ = [
    "APPLICATION_ID", "BUSY_TIMEOUT_MS", "DB_FILENAME", "ENV_VAR", "EXPORT_FORMAT", "EXPORT_VERSION",
    "LEECH_THRESHOLD", "MIGRATIONS", "OVERRIDES_HINT", "SCHEMA_VERSION", "SQLITE_MAGIC", "Attempt", "AttemptKind",
    "Draft", "ImportFormatError", "ImportSummary", "MockSession", "Outcome", "PracticeSession", "ProgressExport",
    "Record", "ReviewState", "Store", "StoreBusyError", "StoreCorruptError", "StoreError", "StoreNewerVersionError",
    "StoreNotWritableError", "StoredReport", "default_db_path", "new_uuid", "resolve_db_path", "utcnow",
]


class Store(TransferMixin):
    """The progress database. Open with ``Store(path)`` (path may be None: see :func:`resolve_db_path`).

    Use as a context manager or call :meth:`close`. All methods are thread-safe; every write commits before
    returning.
    """
