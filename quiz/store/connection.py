"""Opening the database (identity checks, WAL, migrations) and the read/write plumbing every table uses."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Self

from quiz.store.errors import (
    APPLICATION_ID,
    BUSY_TIMEOUT_MS,
    OVERRIDES_HINT,
    SQLITE_MAGIC,
    StoreBusyError,
    StoreCorruptError,
    StoreError,
    StoreNewerVersionError,
    StoreNotWritableError,
)
from quiz.store.paths import is_chosen_path, resolve_db_path
from quiz.store.renamed import move_renamed_progress
from quiz.store.schema import MIGRATIONS, SCHEMA_VERSION


def _is_readonly_error(e: BaseException) -> bool:
    text = str(e).lower()
    return any(s in text for s in ("readonly", "read-only", "unable to open", "permission", "disk i/o"))


class StoreBase:
    """The connection to the progress database; the table mixins build on its ``_read`` and ``_write``."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        durable: bool = True,
    ) -> None:
        self.path = resolve_db_path(path, env)
        self._chosen_path = is_chosen_path(path, env)
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
            if self._chosen_path and not p.parent.is_dir():
                raise StoreNotWritableError(f"the folder {p.parent} of the progress database {p} does not exist (it "
                                            f"is not created for a path you chose); {OVERRIDES_HINT}")
            return
        if not p.is_file():  # a FIFO or a device would block or be clobbered
            raise StoreCorruptError(f"the progress database path {p} is not a regular file; it was left untouched; "
                                    f"{OVERRIDES_HINT}")
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
        try:
            self._check_file_before_opening()
        except OSError as e:  # stat() itself refused: a folder of another user's on the way, a name too long
            raise self._not_writable(f"cannot be reached: {e.strerror or e}") from None
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

    def __enter__(self) -> Self:
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
