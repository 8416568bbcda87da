"""The progress store's constants and errors (every message is one line and names the path)."""

from __future__ import annotations

from typing import Literal

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

